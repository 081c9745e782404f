"""Intent classifier: repaired text, lemmas, TF-IDF n-grams, logistic regression,
and the question of a long message read on its own (``bot.nlp.intents``)."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.context import looks_like_follow_up
from bot.nlp.conditions import ConditionList
from bot.nlp.intents import IntentModel, spacy_lemmas
from bot.nlp.normalise import STEPS, MessageNormaliser
from bot.nlp.text import has_letters
from components.conversation_context import CONTEXT_KEY
from components.parse_data import files_digest, load_spacy

logger = logging.getLogger(__name__)

SAFE_EXTRA_TYPES = ["scipy.sparse._csr.csr_matrix"]
"""Types beyond skops' defaults that the pipeline holds: TF-IDF's idf diagonal."""
PIPELINE_FILE = "intents.skops"
VOCABULARY_FILE = "vocabulary.json"


class ClassifierLoadError(RuntimeError):
    """The trained classifier in the model cannot be loaded safely."""


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class QuestionIntentClassifier(GraphComponent, IntentClassifier):
    """Sets the intent and its ranking from the repaired, lemmatised message.

    Settings: ``C`` (regularisation of the logistic regression), ``steps`` (the
    repairs of ``bot.nlp.normalise`` to apply), ``by_sentence`` (read the
    question of a long message on its own), ``spacy_model`` (the project's
    Dutch pipeline) and ``conditions`` (other illnesses, whose names are words
    to keep as they are). A model that cannot be loaded safely raises.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The settings measured best on the realistic held-out set."""
        return {
            "C": 10.0,
            "steps": list(STEPS),
            "by_sentence": True,
            "spacy_model": "var/nlp/nl_als",
            "conditions": "content/conditions.yml",
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the list of other illnesses (words to keep) changes."""
        return files_digest(
            config.get("conditions") or cls.get_default_config()["conditions"]
        )

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: IntentModel | None = None,
    ) -> None:
        """Keep the storage; ``model`` is set once trained or loaded."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionIntentClassifier:
        """Create the untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the intent examples and store the pipeline and vocabulary."""
        import skops.io as sio

        examples = [
            (str(message.get(TEXT)), str(message.get(INTENT)))
            for message in training_data.intent_examples
        ]
        texts = [text for text, _ in examples]
        texts += ConditionList.from_file(self._config["conditions"]).words()
        normaliser = MessageNormaliser.from_texts(texts, tuple(self._config["steps"]))
        self._model = IntentModel.fit(
            examples,
            normaliser,
            spacy_lemmas(load_spacy(self._config["spacy_model"])),
            c=float(self._config["C"]),
            by_sentence=bool(self._config["by_sentence"]),
        )
        with self._model_storage.write_to(self._resource) as folder:
            sio.dump(self._model.pipeline, folder / PIPELINE_FILE)
            (folder / VOCABULARY_FILE).write_text(
                json.dumps(
                    {
                        "vocabulary": sorted(normaliser.vocabulary),
                        "abbreviations": sorted(normaliser.abbreviations),
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> QuestionIntentClassifier:
        """Load the trained pipeline; refuse files with untrusted types."""
        import skops.io as sio

        merged = {**cls.get_default_config(), **config}
        with model_storage.read_from(resource) as folder:
            pipeline_file = folder / PIPELINE_FILE
            untrusted = set(sio.get_untrusted_types(file=pipeline_file))
            unexpected = sorted(untrusted - set(SAFE_EXTRA_TYPES))
            if unexpected:
                raise ClassifierLoadError(f"untrusted types in model: {unexpected}")
            pipeline = sio.load(pipeline_file, trusted=sorted(untrusted))
            words = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        normaliser = MessageNormaliser(
            frozenset(words["vocabulary"]),
            frozenset(words["abbreviations"]),
            tuple(merged["steps"]),
        )
        model = IntentModel(
            pipeline,
            normaliser,
            spacy_lemmas(load_spacy(merged["spacy_model"])),
            bool(merged["by_sentence"]),
        )
        return cls(merged, model_storage, resource, model)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Classify messages; one without letters gets no intent.

        An empty message, or one of only emoji or digits, gets no intent, so
        the fallback answers it.
        """
        if self._model is None:
            raise RuntimeError("QuestionIntentClassifier used before training")
        for message in messages:
            text = str(message.get(TEXT) or "")
            if not has_letters(text):
                message.set(INTENT, {"name": None, "confidence": 0.0}, True)
                message.set(INTENT_RANKING_KEY, [], True)
                continue
            previous = (message.get("metadata") or {}).get(CONTEXT_KEY)
            if not (isinstance(previous, str) and looks_like_follow_up(text)):
                previous = None
            ranking = [
                {"name": name, "confidence": confidence}
                for name, confidence in self._model.ranking(text, previous)[:10]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
