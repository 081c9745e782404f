"""A really started assistant for the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.assistant import MODEL, RunningAssistant, start_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """Start the trained assistant with its own databases; stop it afterwards."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    with start_assistant(tmp_path_factory.mktemp("assistant")) as running:
        yield running
