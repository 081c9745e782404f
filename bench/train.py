"""Training time: full training, and retraining after small content changes.

Copies ``config.yml``, ``domain.yml`` and ``data/`` to a temporary project (the
spaCy pipeline ``var/nlp`` as a symlink; the project's Python packages come from
the editable install) with its own, empty Rasa training cache, then times:

1. ``rasa train --force``: full training;
2. ``rasa train`` after changing the wording of one answer in ``domain.yml``;
3. the same with another wording and ``--skip-validation`` (for a content loop
   that has run ``rasa data validate`` already);
4. ``rasa train`` after adding one training example (answer changes undone).

Runs 2 to 4 use the same ``--out`` and cache, as ``make train`` would. The
training log tells which components were trained and which restored from the
cache. The real project files are never changed.

Usage: ``.venv/bin/python -m bench.train``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from bench.common import ROOT, VENV_BIN, rasa_env, record, run_logged, table, write

RESPONSE = "utter_faq_riluzol"
NEW_WORDING = "Goed dat u het vraagt. "
SECOND_WORDING = "Fijn dat u het vraagt. "
SKIP_RUN = "answer-change-skip-validation"
INTENT = "faq_riluzol"
NEW_EXAMPLE = "kan iemand mij vertellen hoe riluzol werkt en wat het doet"
FULL_FLOOR_S = 60.0
ANSWER_FLOOR_S = 10.0

STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")
LOG_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) .*?"
    r"(?P<event>Starting to train|Finished training|Restored) component "
    r"'(?P<component>[^']+)'"
)


@dataclass
class Run:
    """One ``rasa train`` run and what its log says about the components."""

    name: str
    seconds: float
    trained: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    component_seconds: dict[str, float] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    def retrained(self, components: set[str]) -> bool:
        """Say whether any of ``components`` was trained in this run."""
        return any(name in components for name in self.trained)


def parse_log(name: str, seconds: float, lines: list[str]) -> Run:
    """Read trained and restored components and their training times."""
    run = Run(name, seconds)
    started: dict[str, list[datetime]] = defaultdict(list)
    for line in lines:
        match = LOG_LINE.match(line)
        if not match:
            continue
        component = match["component"]
        moment = datetime.strptime(match["time"], "%Y-%m-%d %H:%M:%S")
        if match["event"] == "Starting to train":
            run.trained.append(component)
            started[component].append(moment)
        elif match["event"] == "Finished training" and started[component]:
            spent = (moment - started[component].pop(0)).total_seconds()
            run.component_seconds[component] = (
                run.component_seconds.get(component, 0.0) + spent
            )
        elif match["event"] == "Restored":
            run.restored.append(component)
    return run


def phases(launched: datetime, seconds: float, lines: list[str]) -> dict[str, float]:
    """Split a run's wall time into phases by its log's timestamps (1 s steps)."""
    stamped = [
        (datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").timestamp(), line)
        for line in lines
        if (match := STAMP.match(line))
    ]
    hooks = [moment for moment, line in stamped if "training.hooks" in line]
    if not hooks:
        return {}
    validation = [
        moment
        for moment, line in stamped
        if "rasa.validator" in line or "Started validating" in line
    ]
    start, end = launched.timestamp(), launched.timestamp() + seconds
    spans = (
        {
            "start-up": validation[0] - start,
            "validation": validation[-1] - validation[0],
            "graph": hooks[-1] - validation[-1],
        }
        if validation
        else {"start-up + graph": hooks[-1] - start}
    )
    spans["saving"] = end - hooks[-1]
    return {name: max(0.0, value) for name, value in spans.items()}


def component_names(config: Path) -> tuple[set[str], set[str]]:
    """Return the class names of the NLU components and of the policies."""
    loaded = yaml.safe_load(config.read_text(encoding="utf-8"))

    def names(key: str) -> set[str]:
        return {str(item["name"]).rsplit(".", 1)[-1] for item in loaded[key] or []}

    return names("pipeline"), names("policies")


def copy_project(target: Path) -> None:
    """Copy what ``rasa train`` reads into ``target``."""
    target.mkdir(parents=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "data", target / "data")
    (target / "var").mkdir()
    (target / "var" / "nlp").symlink_to(ROOT / "var" / "nlp")


def change_answer(domain: Path, wording: str = NEW_WORDING) -> None:
    """Put ``wording`` before one answer (``RESPONSE``) and change nothing else."""
    original = domain.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    start = lines.index(f"  {RESPONSE}:\n")
    index = next(i for i in range(start + 1, len(lines)) if '- text: "' in lines[i])
    lines[index] = lines[index].replace('- text: "', f'- text: "{wording}', 1)
    domain.write_text("".join(lines), encoding="utf-8")
    before = yaml.safe_load(original)
    after = yaml.safe_load(domain.read_text(encoding="utf-8"))
    changed = after["responses"][RESPONSE][0]["text"]
    after["responses"][RESPONSE][0]["text"] = changed.removeprefix(wording)
    if after != before or not changed.startswith(wording):
        raise RuntimeError("the answer change touched more than one answer")


def add_example(nlu_file: Path) -> None:
    """Add ``NEW_EXAMPLE`` to the examples of ``INTENT`` in ``nlu_file``."""
    lines = nlu_file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if f"intent: {INTENT}" in line)
    examples = next(i for i in range(start, len(lines)) if "examples: |" in lines[i])
    first = lines[examples + 1]
    indent = first[: len(first) - len(first.lstrip())]
    lines.insert(examples + 1, f"{indent}- {NEW_EXAMPLE}\n")
    nlu_file.write_text("".join(lines), encoding="utf-8")
    loaded = yaml.safe_load(nlu_file.read_text(encoding="utf-8"))
    block = next(item for item in loaded["nlu"] if item.get("intent") == INTENT)
    if f"- {NEW_EXAMPLE}\n" not in block["examples"]:
        raise RuntimeError("the new training example was not added")


def train(project: Path, workdir: Path, name: str, *options: str) -> Run:
    """Run ``rasa train`` in ``project``; return its time and components."""
    command = [
        str(VENV_BIN / "rasa"), "train", "--out", str(workdir / "models"),
        "--fixed-model-name", name, *options,
    ]  # fmt: skip
    env = {**rasa_env(), "RASA_CACHE_DIRECTORY": str(workdir / "cache")}
    write(f"{name}: {' '.join(command[1:])} ...")
    launched = datetime.now()
    seconds, lines = run_logged(command, workdir / f"{name}.log", project, env)
    run = parse_log(name, seconds, lines)
    run.phases = phases(launched, seconds, lines)
    write(
        f"{name}: seconds={seconds:.1f} trained={len(run.trained)} "
        f"restored={len(run.restored)}"
    )
    return run


def describe(run: Run, nlu: set[str], core: set[str]) -> list[str]:
    """Return one table row for ``run``."""
    slow = sorted(run.component_seconds.items(), key=lambda item: -item[1])
    spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in slow if seconds)
    return [
        run.name,
        f"{run.seconds:.1f}",
        "yes" if run.retrained(nlu) else "no",
        "yes" if run.retrained(core) else "no",
        ", ".join(run.trained) or "—",
        str(len(run.restored)),
        spent or "—",
        " · ".join(f"{name} {value:.0f}" for name, value in run.phases.items()),
    ]


def report(runs: list[Run], nlu: set[str], core: set[str]) -> str:
    """Return the Markdown body of this run for ``results.md``."""
    header = [
        "run",
        "seconds",
        "NLU retrained",
        "Core retrained",
        "components trained",
        "restored from cache",
        "longest components",
        "phases (≈ s)",
    ]
    full, answer, skip = runs[0], runs[1], runs[2]
    full_met = "met" if full.seconds < FULL_FLOOR_S else "NOT met"
    answer_met = "met" if answer.seconds < ANSWER_FLOOR_S else "NOT met"
    skip_met = "met" if skip.seconds < ANSWER_FLOOR_S else "NOT met"
    return (
        table(header, [describe(run, nlu, core) for run in runs])
        + f"\nRuns: `full` is `rasa train --force`; `answer-change` changes the "
        f"wording of `{RESPONSE}` in `domain.yml`; `{SKIP_RUN}` changes it again "
        "and trains with `--skip-validation`; `new-example` adds one example "
        f"to `{INTENT}` (answer changes undone). Same `--out` and an own training "
        "cache, empty before `full`. Seconds are the wall time of the command. "
        "Phases, from the log's timestamps (1 s resolution): start-up = until "
        "Rasa's first log line; validation = reading and validating the data, "
        "which includes importing most of Rasa; graph = fingerprinting, then "
        "training or restoring the components; saving = packing the model. "
        f"Floors: full <{FULL_FLOOR_S:.0f} s: {full_met}; answer "
        f"change <{ANSWER_FLOOR_S:.0f} s: {answer_met} (with `--skip-validation`: "
        f"{skip_met}).\n"
    )


def main() -> None:
    """Time the four trainings, print one line each and record the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-record", action="store_true", help="do not write bench/results.md"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary project and logs"
    )
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-train-"))
    project = workdir / "project"
    try:
        copy_project(project)
        nlu, core = component_names(project / "config.yml")
        runs = [train(project, workdir, "full", "--force")]
        domain = project / "domain.yml"
        original = domain.read_text(encoding="utf-8")
        change_answer(domain)
        runs.append(train(project, workdir, "answer-change"))
        domain.write_text(original, encoding="utf-8")
        change_answer(domain, SECOND_WORDING)
        runs.append(train(project, workdir, SKIP_RUN, "--skip-validation"))
        domain.write_text(original, encoding="utf-8")
        add_example(project / "data" / "nlu" / "faq.yml")
        runs.append(train(project, workdir, "new-example"))
    finally:
        if arguments.keep:
            write(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for run in runs:
        write(
            f"{run.name:14} seconds={run.seconds:.1f} "
            f"nlu_retrained={'yes' if run.retrained(nlu) else 'no'} "
            f"core_retrained={'yes' if run.retrained(core) else 'no'} "
            f"trained={','.join(run.trained) or '-'}"
        )
    if not arguments.no_record:
        record("train", report(runs, nlu, core))
        write("recorded in bench/results.md")


if __name__ == "__main__":
    main()
