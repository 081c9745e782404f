"""Rasa NLU components of the project (they import rasa; ``bot`` does not)."""
