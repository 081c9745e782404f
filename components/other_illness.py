"""Rasa NLU component: a message about another illness gets the honest reply.

Placed after the intent classifier, before the fallback and the safety gate
(an emergency is an emergency whatever the illness). When a message names
another illness (``content/conditions.yml``) and nothing that keeps it about
ALS, its intent becomes ``other_illness`` and the illness's name is added as the
``condition`` entity, so the reply can name it ("Over diabetes kan ik u niets
vertellen"). A message the classifier already reads as ``other_illness`` gets
the entity too when an illness is named.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.conditions import ConditionFinder, ConditionList, about_other_illness
from components.parse_data import files_digest, load_spacy, set_intent

OTHER_ILLNESS = "other_illness"
CONDITION_ENTITY = "condition"
KEEP_INTENTS = frozenset({"emergency", "despair"})
"""Left to the safety gate: an emergency is answered whatever the illness."""


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class OtherIllnessDetector(GraphComponent):
    """Sets ``other_illness`` and the ``condition`` entity."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The list of conditions and the project's Dutch pipeline."""
        return {
            "conditions": "content/conditions.yml",
            "spacy_model": "var/nlp/nl_als",
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """A changed list of conditions makes a new model."""
        return files_digest(
            config.get("conditions") or cls.get_default_config()["conditions"]
        )

    def __init__(self, config: dict[str, Any]) -> None:
        """Read the list of conditions."""
        self._config = {**self.get_default_config(), **config}
        conditions = ConditionList.from_file(self._config["conditions"])
        self._finder: ConditionFinder = conditions.finder(
            load_spacy(self._config["spacy_model"])
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OtherIllnessDetector:
        """Create the component (nothing to train)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Mark messages about another illness."""
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            intent = (message.get(INTENT) or {}).get("name")
            if intent in KEEP_INTENTS:
                continue
            studies = [
                str(entity.get(ENTITY_ATTRIBUTE_VALUE))
                for entity in message.get(ENTITIES) or []
                if entity.get(ENTITY_ATTRIBUTE_TYPE) == "study"
            ]
            name = about_other_illness(self._finder, doc, studies)
            if name is None and intent == OTHER_ILLNESS:
                name = self._finder.other_illness(doc)
            elif name is not None:
                set_intent(message, OTHER_ILLNESS)
            if name is not None:
                _add_condition(message, name)
        return messages


def _add_condition(message: Message, name: str) -> None:
    entity = {
        ENTITY_ATTRIBUTE_TYPE: CONDITION_ENTITY,
        ENTITY_ATTRIBUTE_VALUE: name,
        EXTRACTOR: OtherIllnessDetector.__name__,
    }
    message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
