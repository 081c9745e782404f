"""Print intent accuracy and macro-F1 from a Rasa intent report; fail below a floor."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    """Print accuracy, macro-F1 and the weakest intents; return 1 below the floor."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-accuracy", type=float, default=0.95)
    arguments = parser.parse_args()
    report = json.loads(arguments.report.read_text(encoding="utf-8"))
    accuracy = float(report["accuracy"])
    macro_f1 = float(report["macro avg"]["f1-score"])
    intents = {
        name: scores
        for name, scores in report.items()
        if isinstance(scores, dict) and "confused_with" in scores
    }
    weakest = sorted(intents.items(), key=lambda item: item[1]["f1-score"])[:5]
    sys.stdout.write(
        f"held-out intent accuracy={accuracy:.3f} macro_f1={macro_f1:.3f}\n"
    )
    for name, scores in weakest:
        confused = ", ".join(f"{k} x{v}" for k, v in scores["confused_with"].items())
        sys.stdout.write(f"  {name}: f1={scores['f1-score']:.2f} {confused}\n")
    if accuracy < arguments.min_accuracy:
        sys.stdout.write(f"FAIL: accuracy below {arguments.min_accuracy}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
