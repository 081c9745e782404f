"""Latency of one REST turn: a plain FAQ turn and a database-backed turn.

Starts the trained assistant on free loopback ports (its own databases), sends
warm-up turns, then N turns of each kind, one at a time, and prints the median
and 95th percentile. Usage: ``.venv/bin/python -m bench.latency [--turns 200]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.support.assistant import RunningAssistant, start_assistant

TURNS = {
    "faq": "wat is riluzol",
    "database": "wat houdt het MRI-onderzoek in",
}


def percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))
    return ordered[index]


def measure(assistant: RunningAssistant, message: str, turns: int) -> list[float]:
    """Time ``turns`` REST turns of ``message``, each from a fresh sender."""
    durations = []
    for _ in range(turns):
        sender = f"bench-{uuid.uuid4().hex}"
        started = time.perf_counter()
        replies = assistant.say(sender, message)
        durations.append((time.perf_counter() - started) * 1000)
        if not replies:
            raise RuntimeError(f"no reply to {message!r}")
    return durations


def main() -> None:
    """Run the benchmark and print one line per kind of turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        with start_assistant(Path(workdir)) as assistant:
            out = sys.stdout
            out.write(f"startup_s={assistant.startup_seconds:.1f}\n")
            for message in TURNS.values():
                measure(assistant, message, 20)
            for kind, message in TURNS.items():
                durations = measure(assistant, message, arguments.turns)
                out.write(
                    f"{kind}: turns={len(durations)} "
                    f"p50_ms={statistics.median(durations):.1f} "
                    f"p95_ms={percentile(durations, 0.95):.1f}\n"
                )


if __name__ == "__main__":
    main()
