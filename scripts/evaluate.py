"""Evaluate a model on the held-out set and compare it with the previous run.

Prints intent accuracy and macro-F1, the worst-confused pairs of topics and,
when an earlier report exists, which topics got better or worse. Saves the
report as the new "previous". Exit code 1 when accuracy is below the floor.

Usage: ``python scripts/evaluate.py --model models/x.tar.gz [--min-accuracy 0.95]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "var" / "results"
HELD_OUT = ROOT / "tests" / "nlu" / "heldout.yml"
PREVIOUS = RESULTS / "heldout-previous.json"
CHANGE = 0.005


def run_rasa_test(model: Path, out: Path) -> dict[str, Any]:
    """Run ``rasa test nlu`` on the held-out set; return the intent report."""
    rasa = Path(sys.executable).parent / "rasa"
    command = [str(rasa), "test", "nlu", "--nlu", str(HELD_OUT), "--model", str(model)]
    command += ["--out", str(out), "--quiet"]
    env = {**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    subprocess.run(command, check=True, cwd=ROOT, env=env, capture_output=True)
    report: dict[str, Any] = json.loads((out / "intent_report.json").read_text("utf-8"))
    return report


def per_intent(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the per-intent entries of a Rasa intent report."""
    return {
        name: scores
        for name, scores in report.items()
        if isinstance(scores, dict) and "confused_with" in scores
    }


def confused_pairs(report: dict[str, Any], top: int = 5) -> list[tuple[str, str, int]]:
    """Return the most frequent (true, predicted, count) confusions."""
    pairs = [
        (name, other, int(count))
        for name, scores in per_intent(report).items()
        for other, count in scores["confused_with"].items()
    ]
    return sorted(pairs, key=lambda pair: (-pair[2], pair[0]))[:top]


def changes(
    current: dict[str, Any], previous: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Return the topics whose F1 went up and down by more than ``CHANGE``."""
    better, worse = [], []
    old = per_intent(previous)
    for name, scores in sorted(per_intent(current).items()):
        if name not in old:
            continue
        delta = float(scores["f1-score"]) - float(old[name]["f1-score"])
        label = f"{name} ({old[name]['f1-score']:.2f} -> {scores['f1-score']:.2f})"
        if delta > CHANGE:
            better.append(label)
        elif delta < -CHANGE:
            worse.append(label)
    return better, worse


def main() -> int:
    """Evaluate, print the report, save it as previous; 1 below the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--min-accuracy", type=float, default=0.95)
    parser.add_argument("--out", type=Path, default=RESULTS / "heldout")
    arguments = parser.parse_args()
    if arguments.out.exists():
        shutil.rmtree(arguments.out)
    report = run_rasa_test(arguments.model, arguments.out)
    out = sys.stdout
    accuracy = float(report["accuracy"])
    macro_f1 = float(report["macro avg"]["f1-score"])
    out.write(f"held-out intent accuracy={accuracy:.3f} macro_f1={macro_f1:.3f}\n")
    out.write("worst-confused pairs (true -> predicted x count):\n")
    for true, predicted, count in confused_pairs(report):
        out.write(f"  {true} -> {predicted} x{count}\n")
    if PREVIOUS.exists():
        previous = json.loads(PREVIOUS.read_text(encoding="utf-8"))
        before = float(previous["accuracy"])
        out.write(
            f"against the previous model: accuracy {before:.3f} -> {accuracy:.3f}\n"
        )
        better, worse = changes(report, previous)
        out.write(f"  better: {', '.join(better) or 'none'}\n")
        out.write(f"  worse:  {', '.join(worse) or 'none'}\n")
    PREVIOUS.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(arguments.out / "intent_report.json", PREVIOUS)
    if accuracy < arguments.min_accuracy:
        out.write(f"FAIL: accuracy below {arguments.min_accuracy}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
