"""Held-out intent accuracy of the project's pipeline against two baselines.

In one run, on the same training data (``data/``) and the same held-out set
(``tests/nlu/heldout.yml``):

- ``project``: the project's ``config.yml``;
- ``rasa-init``: the NLU pipeline ``rasa init`` generates in Rasa 3.6 (DIET),
  with ``language: nl``; ``--skip-diet`` leaves it out for a quick run;
- ``sklearn``: TF-IDF (word 1-2 grams + char_wb 2-5 grams) and logistic
  regression from scikit-learn on the raw text, no spaCy, no Rasa.

Each system is also scored on the realistic set (``tests/nlu/realistic.yml``),
per kind of message, and the project's own steps (the repairs of
``bot.nlp.normalise`` and reading the question of a long message) are measured
one by one.

The Rasa pipelines are trained with ``rasa train nlu`` (empty training cache)
and scored with ``rasa test nlu``, which counts the classifier's top intent even
when the fallback would have answered. Training time is the wall time of the
command, Rasa's start-up included.

It then runs the safety set end to end (``bench.safety``) and prints its
table per category.

Usage: ``.venv/bin/python -m bench.accuracy [--skip-diet]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench import safety
from bench.common import ROOT, VENV_BIN, rasa_env, record, run_logged, table, write
from bench.realistic import load_messages

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
DATA = ROOT / "data"
PROJECT_CONFIG = ROOT / "config.yml"
ACCURACY_FLOOR = 0.95

RASA_INIT_CONFIG = """\
# The NLU pipeline `rasa init` generates in Rasa 3.6 (rasa/engine/recipes/
# config_files/default_config.yml), language set to Dutch.
recipe: default.v1
assistant_id: bench-rasa-init
language: nl
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
"""


@dataclass
class Score:
    """Held-out scores and training time of one system."""

    name: str
    description: str
    train_s: float
    accuracy: float
    macro_f1: float
    weighted_f1: float
    errors: int


def rasa_system(
    name: str, description: str, config: Path, workdir: Path, cache: Path
) -> Score:
    """Train ``config`` with ``rasa train nlu``; score it with ``rasa test nlu``."""
    env = {**rasa_env(), "RASA_CACHE_DIRECTORY": str(cache / name)}
    rasa = str(VENV_BIN / "rasa")
    models = workdir / "models"
    write(f"{name}: rasa train nlu --config {config} ...")
    train_s, _ = run_logged(
        [
            rasa, "train", "nlu", "--config", str(config), "--nlu", str(DATA),
            "--out", str(models), "--fixed-model-name", name,
        ],
        workdir / f"{name}-train.log",
        env=env,
    )  # fmt: skip
    out = workdir / f"{name}-test"
    write(f"{name}: rasa test nlu --nlu {HELDOUT.relative_to(ROOT)} ...")
    run_logged(
        [
            rasa, "test", "nlu", "--nlu", str(HELDOUT),
            "--model", str(models / f"{name}.tar.gz"), "--out", str(out), "--no-plot",
        ],
        workdir / f"{name}-test.log",
        env=env,
    )  # fmt: skip
    realistic_out = workdir / f"{name}-realistic"
    run_logged(
        [
            rasa, "test", "nlu", "--nlu", str(realistic_nlu_file(workdir)),
            "--model", str(models / f"{name}.tar.gz"), "--out", str(realistic_out),
            "--no-plot", "--successes",
        ],
        workdir / f"{name}-realistic.log",
        env=env,
    )  # fmt: skip
    REALISTIC_PREDICTIONS[name] = _predictions(realistic_out)
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors_file = out / "intent_errors.json"
    errors = (
        len(json.loads(errors_file.read_text(encoding="utf-8")))
        if errors_file.exists()
        else 0
    )
    return Score(
        name,
        description,
        train_s,
        float(report["accuracy"]),
        float(report["macro avg"]["f1-score"]),
        float(report["weighted avg"]["f1-score"]),
        errors,
    )


REALISTIC_PREDICTIONS: dict[str, dict[str, str]] = {}
"""System name -> realistic message text -> predicted intent (filled by a run)."""


def realistic_nlu_file(workdir: Path) -> Path:
    """The realistic set as a Rasa NLU file (its topics as intents)."""
    path = workdir / "realistic-nlu.yml"
    if not path.exists():
        by_topic: dict[str, list[str]] = {}
        for message in load_messages():
            by_topic.setdefault(str(message["topic"]), []).append(str(message["text"]))
        blocks = [
            {
                "intent": topic,
                "examples": "".join(f"- {t}\n" for t in texts),
            }
            for topic, texts in sorted(by_topic.items())
        ]
        path.write_text(
            yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True),
            encoding="utf-8",
        )
    return path


def _predictions(out: Path) -> dict[str, str]:
    predicted: dict[str, str] = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        file = out / name
        if file.exists():
            for entry in json.loads(file.read_text(encoding="utf-8")):
                prediction = entry.get("intent_prediction") or {}
                predicted[str(entry["text"])] = str(prediction.get("name"))
    return predicted


NOT_ALS_INTENTS = frozenset({"out_of_scope", "nlu_fallback", "other_illness"})


def nlu_cost(model: Path) -> dict[str, float]:
    """Load time, memory and parse time of a trained NLU model (``bench.nlu_cost``,
    in a fresh process so one model's memory does not count for the other)."""
    import subprocess

    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bench.nlu_cost", str(model)],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def cost_table(workdir: Path, names: list[str]) -> str:
    """Markdown: what each trained Rasa pipeline costs to run."""
    rows = []
    for name in names:
        model = workdir / "models" / f"{name}.tar.gz"
        if model.exists():
            write(f"{name}: measuring parse time and memory ...")
            cost = nlu_cost(model)
            rows.append(
                [name, f"{cost['load_s']}", f"{cost['rss_mb']}",
                 f"{cost['parse_p50_ms']}", f"{cost['parse_p95_ms']}"]
            )  # fmt: skip
    return table(
        ["system", "load s", "memory MB", "parse p50 ms", "parse p95 ms"], rows
    )


def realistic_table(predictions: dict[str, dict[str, str]]) -> str:
    """Intent right per kind of the realistic set, one column per system.

    NLU only (the classifier's top intent, as ``rasa test nlu`` counts it); a
    message that is not about ALS is right when it gets no ALS topic.
    """
    messages = load_messages()
    systems = list(predictions)
    groups: dict[str, list[dict[str, object]]] = {"in scope": [], "out of scope": []}
    for message in messages:
        scope = "out of scope" if message["topic"] == "out_of_scope" else "in scope"
        groups[scope].append(message)
        groups.setdefault(f"- {message['kind']}", []).append(message)
    rows = []
    for group, members in groups.items():
        row = [group]
        for system in systems:
            right = sum(
                _nlu_right(str(m["topic"]), predictions[system].get(str(m["text"]), ""))
                for m in members
            )
            row.append(f"{right / len(members):.3f}")
        rows.append(row)
    return table(["tests/nlu/realistic.yml", *systems], rows)


def _nlu_right(topic: str, intent: str) -> bool:
    if topic == "out_of_scope":
        return intent in NOT_ALS_INTENTS
    return intent == topic


def step_ablation() -> dict[str, dict[str, str]]:
    """The project's repairs and sentence reading, each on its own.

    Fits ``bot.nlp.intents.IntentModel`` (the model inside the project's
    classifier) on ``data/`` with each step alone, all repairs, and all repairs
    plus reading the question of a long message; predicts the realistic set.
    """
    import spacy

    from bot.nlp.conditions import ConditionList
    from bot.nlp.intents import IntentModel, spacy_lemmas
    from bot.nlp.normalise import STEPS, MessageNormaliser

    nlp = spacy.load(str(ROOT / "var" / "nlp" / "nl_als"))
    texts, intents = load_examples(DATA)
    vocabulary = texts + ConditionList.from_file().words()
    variants: list[tuple[str, tuple[str, ...], bool]] = [
        ("no repairs", (), False),
        *((f"only {step}", (step,), False) for step in STEPS),
        ("all repairs", STEPS, False),
        ("all + question", STEPS, True),
    ]
    messages = load_messages()
    results: dict[str, dict[str, str]] = {}
    for label, steps, by_sentence in variants:
        write(f"step ablation: {label} ...")
        model = IntentModel.fit(
            list(zip(texts, intents, strict=True)),
            MessageNormaliser.from_texts(vocabulary, steps),
            spacy_lemmas(nlp),
            by_sentence=by_sentence,
        )
        results[label] = {
            str(m["text"]): model.ranking(str(m["text"]))[0][0] for m in messages
        }
    return results


def load_examples(path: Path) -> tuple[list[str], list[str]]:
    """Return the texts and intents of the NLU examples under ``path``."""
    import rasa.shared.data
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    files = sorted(
        rasa.shared.data.get_data_files([str(path)], rasa.shared.data.is_nlu_file)
    )
    data = TrainingData().merge(*(load_data(file) for file in files))
    examples = data.intent_examples
    return [str(e.get("text")) for e in examples], [
        str(e.get("intent")) for e in examples
    ]


def sklearn_system() -> Score:
    """Train and score TF-IDF + logistic regression on the raw text."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import make_pipeline, make_union

    texts, intents = load_examples(DATA)
    test_texts, test_intents = load_examples(HELDOUT)
    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2)),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
        ),
        LogisticRegression(max_iter=1000, random_state=0),
    )
    write(f"sklearn: fitting on {len(texts)} examples ...")
    started = time.perf_counter()
    model.fit(texts, intents)
    train_s = time.perf_counter() - started
    predicted = list(model.predict(test_texts))
    realistic = [str(m["text"]) for m in load_messages()]
    REALISTIC_PREDICTIONS["sklearn"] = dict(
        zip(realistic, (str(p) for p in model.predict(realistic)), strict=True)
    )
    return Score(
        "sklearn",
        "TfidfVectorizer word 1-2 + char_wb 2-5, LogisticRegression (defaults)",
        train_s,
        float(accuracy_score(test_intents, predicted)),
        float(f1_score(test_intents, predicted, average="macro")),
        float(f1_score(test_intents, predicted, average="weighted")),
        sum(t != p for t, p in zip(test_intents, predicted, strict=True)),
    )


def ratio(project: float, other: float, same: bool) -> str:
    """Return ``project / other`` formatted, or a dash for the project's own row."""
    return "—" if same else f"{project / other:.3f}"


def report(scores: list[Score], train_examples: int, test_examples: int) -> str:
    """Return the Markdown body of this run for ``results.md``."""
    project = scores[0]
    rows = [
        [
            f"{score.name}: {score.description}",
            f"{score.train_s:.1f}",
            f"{score.accuracy:.3f}",
            f"{score.macro_f1:.3f}",
            f"{score.weighted_f1:.3f}",
            str(score.errors),
            ratio(project.accuracy, score.accuracy, score is project),
            ratio(project.macro_f1, score.macro_f1, score is project),
        ]
        for score in scores
    ]
    header = [
        "system",
        "training s",
        "accuracy",
        "macro-F1",
        "weighted-F1",
        "wrong",
        "accuracy project/this",
        "macro-F1 project/this",
    ]
    baselines = scores[1:]
    above = all(project.accuracy > score.accuracy for score in baselines)
    met = project.accuracy >= ACCURACY_FLOOR and above
    names = ", ".join(score.name for score in baselines)
    return (
        table(header, rows)
        + f"\nHeld-out set: {test_examples} examples (`tests/nlu/heldout.yml`); "
        f"training data: {train_examples} examples (`data/`). Floor: project "
        f"accuracy ≥{ACCURACY_FLOOR} and above every baseline ({names}): "
        f"{'met' if met else 'NOT met'}. Rasa training times are the wall time of "
        "`rasa train nlu` with an empty training cache, Rasa's start-up (about "
        "10 s) included; the sklearn time is the fit alone. DIET's results vary "
        "from run to run (no fixed random seed in the default pipeline).\n"
    )


def score_all(workdir: Path, skip_diet: bool) -> list[Score]:
    """Train and score the project first, then each baseline."""
    cache = workdir / "cache"
    scores = [
        rasa_system(
            "project",
            "`config.yml` (repairs, lemmas, TF-IDF + LR, question read alone)",
            PROJECT_CONFIG,
            workdir,
            cache,
        )
    ]
    if not skip_diet:
        config = workdir / "rasa-init-config.yml"
        config.write_text(RASA_INIT_CONFIG, encoding="utf-8")
        scores.append(
            rasa_system(
                "rasa-init",
                "`rasa init` pipeline (DIET 100 epochs)",
                config,
                workdir,
                cache,
            )
        )
    scores.append(sklearn_system())
    return scores


def main() -> None:
    """Train and score every system, print one line each and record the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-diet", action="store_true", help="leave out the rasa init pipeline"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not write bench/results.md"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the models, reports and logs"
    )
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
    try:
        scores = score_all(workdir, skip_diet=arguments.skip_diet)
        costs = cost_table(workdir, [score.name for score in scores])
    finally:
        if arguments.keep:
            write(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    project = scores[0]
    for score in scores:
        write(
            f"{score.name:10} train_s={score.train_s:.1f} accuracy={score.accuracy:.3f}"
            f" macro_f1={score.macro_f1:.3f} wrong={score.errors} "
            f"ratio_accuracy={project.accuracy / score.accuracy:.3f} "
            f"ratio_macro_f1={project.macro_f1 / score.macro_f1:.3f}"
        )
    baselines = realistic_table(REALISTIC_PREDICTIONS)
    steps = realistic_table(step_ablation())
    write(costs)
    write(baselines)
    write(steps)
    if not arguments.no_record:
        train_examples = len(load_examples(DATA)[0])
        test_examples = len(load_examples(HELDOUT)[0])
        record(
            "accuracy",
            report(scores, train_examples, test_examples)
            + "\nWhat each Rasa pipeline costs to run (NLU only, one process each):"
            + "\n\n"
            + costs
            + "\nThe realistic set, NLU only, per system:\n\n"
            + baselines
            + "\nThe project's steps, each on its own (IntentModel on `data/`):\n\n"
            + steps,
        )
        write("recorded in bench/results.md")
    write("safety set, end to end over REST (bench.safety):")
    safety.print_and_record(
        safety.measure(), misses=False, keep=not arguments.no_record
    )


if __name__ == "__main__":
    main()
