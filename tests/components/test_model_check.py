"""The model check refuses a model that does not install the action fallback."""

from __future__ import annotations

import pytest

from components import model_check
from tests.support.assistant import MODEL


async def test_model_without_the_action_fallback_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not MODEL.exists():
        pytest.skip(f"{MODEL} is missing: run `make model`")
    assert await model_check.check(MODEL) == []

    monkeypatch.setattr(model_check, "ACTION_FALLBACK_MODULE", "components.missing")
    (problem,) = await model_check.check(MODEL)
    assert "does not install the custom action fallback" in problem
