"""Rasa NLU component that puts safety before topic matching.

Placed last in the NLU pipeline, it asks the safety layer (``bot.safety``) for
every message and makes the intent follow its decision:

- emergency or crisis: the intent becomes ``emergency`` or ``despair`` (112 or
  113 first, whatever the classifier thought);
- none while the classifier said ``emergency`` or ``despair``: the best other
  intent, or ``nlu_fallback`` when it is weak; a question about the illness
  that mentions choking or dying gets the end-of-life answer;
- a message without readable words (emoji, binary junk): ``nlu_fallback``.

The decision and its trigger go into the parse data under ``safety`` (nurses
see it in ``python -m bot ask``). The model carries the phrase rules and the
training examples; the classifier is fitted again when the model loads.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety import SafetyKind, SafetyLayer, is_unreadable
from bot.safety.classifier import Example, nlu_examples, read_examples
from bot.safety.layer import EXAMPLES_FILE, PHRASES_FILE
from components.parse_data import files_digest, load_spacy, set_intent

logger = logging.getLogger(__name__)

NLU_FALLBACK = "nlu_fallback"
END_OF_LIFE_INTENT = "faq_levenseinde"
SAFETY_KEY = "safety"
INTENT_BY_KIND = {SafetyKind.EMERGENCY: "emergency", SafetyKind.CRISIS: "despair"}
DATA_FILE = "safety.json"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class SafetyGate(GraphComponent):
    """Decides emergency, crisis or none for every message, before any answer."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Files of the safety layer, the fallback threshold and the pipeline."""
        return {
            "phrases": str(PHRASES_FILE),
            "examples": str(EXAMPLES_FILE),
            "spacy_model": "var/nlp/nl_als",
            "fallback_threshold": 0.3,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the phrase rules or the examples change."""
        return files_digest(
            *(
                config.get(key) or cls.get_default_config()[key]
                for key in ("phrases", "examples")
            )
        )

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        layer: SafetyLayer | None = None,
    ) -> None:
        """Keep the storage; ``layer`` is set once trained or loaded."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._layer = layer

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyGate:
        """Create the untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Store the phrase rules and the examples (own and NLU) in the model."""
        phrases = Path(self._config["phrases"]).read_text(encoding="utf-8")
        own = read_examples(Path(self._config["examples"]).read_text(encoding="utf-8"))
        nlu = nlu_examples(
            (message.get(TEXT), message.get(INTENT))
            for message in training_data.intent_examples
        )
        examples = [*own, *nlu]
        with self._model_storage.write_to(self._resource) as folder:
            (folder / DATA_FILE).write_text(
                json.dumps(
                    {
                        "phrases": phrases,
                        "examples": [[e.text, e.label] for e in examples],
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
        self._layer = SafetyLayer.from_texts(phrases, examples)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyGate:
        """Rebuild the layer from the stored phrases and examples."""
        merged = {**cls.get_default_config(), **config}
        with model_storage.read_from(resource) as folder:
            data = json.loads((folder / DATA_FILE).read_text(encoding="utf-8"))
        examples = [Example(text, label) for text, label in data["examples"]]
        layer = SafetyLayer.from_texts(data["phrases"], examples)
        return cls(merged, model_storage, resource, layer)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Decide for each message and make its intent follow the decision."""
        if self._layer is None:
            raise RuntimeError("SafetyGate used before training or loading")
        for message in messages:
            text = message.get(TEXT) or ""
            if is_unreadable(text):
                set_intent(message, NLU_FALLBACK)
                continue
            doc = message.get(SPACY_DOCS[TEXT]) or load_spacy(
                str(self._config["spacy_model"])
            )(text)
            ranking = message.get(INTENT_RANKING_KEY) or []
            decision = self._layer.assess_doc(doc, ranking)
            message.set(SAFETY_KEY, decision.as_dict(), add_to_output=True)
            if decision.kind in INTENT_BY_KIND:
                set_intent(message, INTENT_BY_KIND[decision.kind])
            elif decision.question_about_illness and _top(message) in _NOT_AN_ANSWER:
                set_intent(message, END_OF_LIFE_INTENT)
            elif _top(message) in INTENT_BY_KIND.values():
                set_intent(message, *self._best_other_intent(ranking))
        return messages

    def _best_other_intent(self, ranking: list[dict[str, Any]]) -> tuple[str, float]:
        """The best intent that is not a safety intent (and its confidence),
        or the fallback when it is below the fallback threshold."""
        for entry in ranking:
            name = entry.get("name")
            if name in INTENT_BY_KIND.values() or name == NLU_FALLBACK:
                continue
            confidence = float(entry.get("confidence") or 0.0)
            if confidence >= self._config["fallback_threshold"]:
                return str(name), confidence
            break
        return NLU_FALLBACK, 1.0


_NOT_AN_ANSWER = {"emergency", "despair", NLU_FALLBACK, "out_of_scope", None}


def _top(message: Message) -> str | None:
    return (message.get(INTENT) or {}).get("name")
