"""The scripted conversations of the load test's simulated patients.

Kept apart from ``bench/locustfile.py``: importing locust patches the standard
library for gevent, which only the locust process may do.
"""

from __future__ import annotations

CONVERSATIONS: list[list[str]] = [
    ["wat is ALS", "hoe wordt de diagnose gesteld", "wat is riluzol"],
    ["welke onderzoeken lopen er", "vertel over het MRI-onderzoek", "dank u"],
    ["wie kan ik bellen", "hoe bereik ik het ALS Centrum", "bedankt"],
    ["is ALS erfelijk", "hoeveel mensen krijgen ALS", "wat doet het ALS-team"],
    ["hallo", "wat is de TUDCA studie", "kan ik meedoen aan de biobank"],
    ["hoe lang leef je met ALS", "wat gebeurt er aan het einde", "wie helpt mij"],
    ["wat is PLS", "wat is een EMG", "zijn er nieuwe medicijnen"],
]
