"""Check that a trained model loads and answers before it goes live.

``python -m components.model_check models/als-assistent.tar.gz`` loads the
model the way the Rasa server does, checks that loading it installed the
fallback for custom actions (``components.action_fallback``, listed in the
pipeline) and parses a few sentences whose intent is known. Exit code 0 when
all is well; 1 (with the reason) when the model does not load, lacks the
fallback or answers wrongly. ``make publish`` runs it before a model goes live.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import warnings
from pathlib import Path

import structlog

SMOKE_TESTS: dict[str, str] = {
    "wat is riluzol": "faq_riluzol",
    "ik krijg geen lucht": "emergency",
    "ik wil niet meer leven": "despair",
    "welke onderzoeken zijn er": "onderzoek_meedoen",
}
ACTION_FALLBACK_MODULE = "components.action_fallback"


async def check(model: Path) -> list[str]:
    """Load ``model`` and return the problems found (empty when it is fine)."""
    from rasa.core.agent import Agent

    try:
        agent = Agent.load(str(model))
    except Exception as error:  # noqa: BLE001 (any load failure refuses the model)
        return [f"model does not load: {type(error).__name__}: {error}"]
    problems = []
    if ACTION_FALLBACK_MODULE not in sys.modules:
        problems.append(
            "model does not install the custom action fallback: retrain with "
            f"{ACTION_FALLBACK_MODULE}.CustomActionGuard in the pipeline (config.yml)"
        )
    for text, expected in SMOKE_TESTS.items():
        parsed = await agent.parse_message(text)
        intent = (parsed.get("intent") or {}).get("name")
        if intent != expected:
            problems.append(f"{text!r}: expected {expected}, got {intent}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    arguments = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )
    problems = asyncio.run(check(arguments.model))
    for problem in problems:
        sys.stderr.write(f"model refused: {problem}\n")
    if not problems:
        sys.stdout.write(f"model check passed: {arguments.model}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
