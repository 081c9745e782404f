"""Rasa NLU components of the project (they import rasa; ``bot`` does not).

Importing the package makes every model pull of this Rasa process load the new
model beside the event loop (``components.model_loading``), and gives the
intent classifier the previous question (``components.conversation_context``):
Rasa imports the project's channels and stores at start-up, before it loads a
model.
"""

from components import conversation_context, model_loading

model_loading.install()
conversation_context.install()
