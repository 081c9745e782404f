"""Run every benchmark in sequence: latency, accuracy, training.

Each runs in its own process and records its section of ``bench/results.md``.
Usage: ``.venv/bin/python -m bench [--skip-diet] [--no-record]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bench.common import ROOT, write

BENCHMARKS = ("latency", "accuracy", "train")


def main() -> None:
    """Run each benchmark; stop at the first that fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-diet", action="store_true", help="accuracy without rasa init (DIET)"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not write bench/results.md"
    )
    arguments = parser.parse_args()
    for name in BENCHMARKS:
        options = ["--no-record"] if arguments.no_record else []
        if name == "accuracy" and arguments.skip_diet:
            options.append("--skip-diet")
        write(f"== bench.{name} {' '.join(options)}".rstrip())
        completed = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", *options], cwd=ROOT, check=False
        )
        if completed.returncode != 0:
            sys.exit(f"bench.{name} failed with exit code {completed.returncode}")


if __name__ == "__main__":
    main()
