"""Rasa NLU component that puts safety before topic matching."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety import detect_crisis, is_unreadable

NLU_FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyGate(GraphComponent):
    """Overrides the classifier for crises and unreadable messages.

    Placed last in the NLU pipeline: an acute emergency or despair found by the
    rules in ``bot.safety`` wins over any topic; a message without readable
    words (emoji, binary junk) becomes ``nlu_fallback``.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyGate:
        """Create the component; it has no state."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the intent of each message that the safety rules decide."""
        for message in messages:
            text = message.get(TEXT) or ""
            crisis = detect_crisis(text)
            if crisis is not None:
                _force_intent(message, crisis.value)
            elif is_unreadable(text):
                _force_intent(message, NLU_FALLBACK)
        return messages


def _force_intent(message: Message, intent_name: str) -> None:
    intent = {"name": intent_name, "confidence": 1.0}
    ranking = [
        entry
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get("name") != intent_name
    ]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
