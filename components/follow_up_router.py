"""Rasa NLU component: a question about what was just discussed is a follow-up.

Placed after the intent classifier and the other-illness check, before the
fallback and the safety gate. The previous topic comes with the message
(``components.conversation_context``). A message becomes a follow-up (its best
``followup_*`` intent, answered by ``action_follow_up`` about that topic) when

- it asks about the topic just answered again and the answer does not hold
  what it asks (``bot.scope``): "en met beademing, hoeveel langer leef je
  dan?" right after the answer about life expectancy gets the honest reply
  that the sources do not say. A question the answer does hold keeps its
  intent and gets the answer again straight away; or
- it refers back (``bot.nlp.follow_ups``) after an answer about a thing, not
  about ALS itself (``content/followups.yml``): "is dat een medicijn?" after
  TRICALS is about TRICALS, "hoeveel mensen doen er mee?" after the MRI study
  about that study; or
- it was not placed (out of scope, another illness without naming one, or a
  weak reading) and has a word that may refer back: "is het besmettelijk?"
  right after the answer about the cause of ALS asks about ALS, not about
  nothing. The honest "not in my sources" is then the worst reply it gets,
  not "Sorry, daar kan ik u niet mee helpen".

A message that names another study or another illness, asks for a contact or
medical advice, or is an emergency keeps its own intent.
"""

from __future__ import annotations

from pathlib import Path
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
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.constants import INTENT_CONTACT, INTENT_TO_STUDY
from bot.context import FOLLOW_UP_PREFIX, FollowUpBook, Topic
from bot.nlp.follow_ups import BackReferences
from bot.scope import AnswerScope
from bot.topics import TOPIC_TITLES
from components.conversation_context import TOPIC_KEY
from components.other_illness import CONDITION_ENTITY
from components.parse_data import files_digest, load_spacy, set_intent

ROUTABLE_INTENTS = (frozenset(TOPIC_TITLES) - {INTENT_CONTACT}) | {
    "out_of_scope",
    "other_illness",
}
"""Intents a follow-up may have been read as."""
NOT_PLACED = frozenset({"out_of_scope", "other_illness"})
"""Readings that leave a message without an answer: right after an answer, one
that may refer back ("is het besmettelijk?") is a follow-up on it."""
KEPT_INTENTS = frozenset(
    {
        "emergency", "despair", "medical_advice", "contact", "ask_human",
        "choose_option", "affirm", "deny",
    }
)  # fmt: skip
"""Intents a message keeps whatever came before (safety first)."""
SURE_CONFIDENCE = 0.9
"""At or above this, a question read as the topic just answered is that topic's
own question ("wat is riluzol" twice): it gets the answer again."""
UNSURE_CONFIDENCE = 0.5
"""Below this, a message that refers back is a follow-up whatever its intent
("en helpt het ook echt?" read as a weak ``show_topics``)."""
DEFAULT_FOLLOW_UP = "followup_more"
STUDY_ENTITY = "study"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class FollowUpRouter(GraphComponent):
    """Makes a question about the previous answer's topic a follow-up."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The follow-up content and the project's Dutch pipeline."""
        return {
            "followups": "content/followups.yml",
            "answered_questions": "content/answered_questions.yml",
            "spacy_model": "var/nlp/nl_als",
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """A changed follow-up file makes a new model."""
        merged = {**cls.get_default_config(), **config}
        return files_digest(merged["followups"], merged["answered_questions"])

    def __init__(self, config: dict[str, Any]) -> None:
        """Read which topics are about ALS itself and what each answer holds."""
        self._config = {**self.get_default_config(), **config}
        self._book = FollowUpBook.from_file(Path(self._config["followups"]))
        self._scope = AnswerScope.from_file(Path(self._config["answered_questions"]))
        self._references = BackReferences(load_spacy(self._config["spacy_model"]))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FollowUpRouter:
        """Create the component (nothing to train)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Make follow-ups of messages about the previous topic."""
        for message in messages:
            previous = (message.get("metadata") or {}).get(TOPIC_KEY)
            if isinstance(previous, str) and self._is_follow_up(
                message, Topic(previous)
            ):
                set_intent(message, best_follow_up(message))
        return messages

    def _is_follow_up(self, message: Message, topic: Topic) -> bool:
        reading = message.get(INTENT) or {}
        intent = str(reading.get("name") or "")
        if intent in KEPT_INTENTS or intent.startswith(FOLLOW_UP_PREFIX):
            return False
        confidence = float(reading.get("confidence") or 0.0)
        unsure = confidence < UNSURE_CONFIDENCE
        if intent not in ROUTABLE_INTENTS and not unsure:
            return False
        entities = message.get(ENTITIES) or []
        if _names(entities, CONDITION_ENTITY):
            return False
        studies = _names(entities, STUDY_ENTITY)
        if studies and studies != {topic.study}:
            return False
        if asks_again(intent, topic, studies):
            text = str(message.get(TEXT) or "")
            sure = confidence >= SURE_CONFIDENCE
            return not sure and self._scope.holds(topic.key, text) is False
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None:
            return False
        not_placed = intent in NOT_PLACED or (unsure and intent not in TOPIC_TITLES)
        if not_placed and self._references.mentions_something(doc):
            return True
        return self._book.is_about_a_thing(topic) and self._references.refers_back(doc)


def asks_again(intent: str, topic: Topic, studies: set[str]) -> bool:
    """Whether the message's own reading is the topic just answered."""
    if intent == topic.key:
        return True
    if topic.study is None:
        return False
    return INTENT_TO_STUDY.get(intent) == topic.study or topic.study in studies


def best_follow_up(message: Message) -> str:
    """The likeliest ``followup_*`` intent of the message's ranking."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        name = str(entry.get("name") or "")
        if name.startswith(FOLLOW_UP_PREFIX):
            return name
    return DEFAULT_FOLLOW_UP


def _names(entities: list[dict[str, Any]], kind: str) -> set[str]:
    return {
        str(entity.get(ENTITY_ATTRIBUTE_VALUE))
        for entity in entities
        if entity.get(ENTITY_ATTRIBUTE_TYPE) == kind
    }
