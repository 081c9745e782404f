"""What one NLU model costs to run: parse time per message and memory.

Loads a model with Rasa's ``Agent`` in this process (run it in a fresh one:
``.venv/bin/python -m bench.nlu_cost MODEL``), parses the realistic set once to
warm up and once to time, and prints JSON: the median and p95 parse time in
milliseconds and the process's resident memory in MB after loading.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from bench.realistic import load_messages


async def _measure(model: Path) -> dict[str, float]:
    from rasa.core.agent import Agent

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_s = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    texts = [str(m["text"]) for m in load_messages()]
    for text in texts[:50]:
        await agent.parse_message(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "load_s": round(load_s, 1),
        "rss_mb": round(rss_mb),
        "parse_p50_ms": round(statistics.median(times), 1),
        "parse_p95_ms": round(times[int(len(times) * 0.95)], 1),
    }


def main() -> None:
    """Print the cost of the model named on the command line as JSON."""
    print(json.dumps(asyncio.run(_measure(Path(sys.argv[1])))))  # noqa: T201


if __name__ == "__main__":
    main()
