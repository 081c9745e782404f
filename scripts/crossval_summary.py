"""Summarise a `rasa test nlu --cross-validation` report folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    """Print accuracy, macro-F1, the weakest intents and where the plots are."""
    folder = Path(sys.argv[1])
    report = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
    out = sys.stdout
    out.write(
        f"cross-validation (5 folds): accuracy={report['accuracy']:.3f} "
        f"macro_f1={report['macro avg']['f1-score']:.3f}\n"
    )
    intents = {
        name: scores
        for name, scores in report.items()
        if isinstance(scores, dict) and "confused_with" in scores
    }
    out.write("weakest intents:\n")
    for name, scores in sorted(intents.items(), key=lambda i: i[1]["f1-score"])[:8]:
        confused = ", ".join(f"{k} x{v}" for k, v in scores["confused_with"].items())
        out.write(f"  {name}: f1={scores['f1-score']:.2f}  {confused}\n")
    for plot in sorted(folder.glob("*.png")):
        out.write(f"plot: {plot}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
