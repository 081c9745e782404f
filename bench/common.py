"""Shared helpers of the benchmarks: machine facts, git commit, ``results.md``."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.md"
VENV_BIN = Path(sys.executable).parent
RUNS_KEPT = 5
"""How many runs each section of ``results.md`` keeps (older ones: git history)."""

SECTIONS = {
    "latency": "Latency of one REST turn (`bench.latency`)",
    "accuracy": "Held-out intent accuracy against baselines (`bench.accuracy`)",
    "safety": "Safety set end to end: 112 and 113 first (`bench.safety`)",
    "realistic": "Intent on the realistic held-out set (`bench.realistic`)",
    "train": "Training and retraining time (`bench.train`)",
    "loadtest": "Load test of the cluster (`bench.loadtest`, `make loadtest`)",
}

HEADER = """# Benchmark results

Written by the benchmarks in `bench/` (see `bench/README.md`), from real runs.
Each benchmark owns one section. A run puts its table at the top of its section
(newest run first) and the section keeps the last {kept} runs; older runs are in
the git history. Every run names the date, the git commit (`+dirty` when the
working tree had uncommitted changes) and the machine.
"""


def read_proc(path: str) -> dict[str, str]:
    """Return the ``key: value`` lines of a /proc file as a dict."""
    values: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        values.setdefault(key.strip(), value.strip())
    return values


def machine() -> str:
    """Describe the machine: CPU model, logical cores, RAM, Python and Rasa."""
    cpu = read_proc("/proc/cpuinfo").get("model name", platform.processor())
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    cores = len(re.findall(r"^processor\s*:", cpuinfo, flags=re.MULTILINE))
    ram_kib = int(read_proc("/proc/meminfo")["MemTotal"].split()[0])
    usable = len(os.sched_getaffinity(0))
    return (
        f"{cpu}, {cores} logical cores ({usable} usable), "
        f"{ram_kib / 1024**2:.1f} GiB RAM; Python {platform.python_version()}, "
        f"Rasa {rasa_version()}"
    )


def rasa_version() -> str:
    """Return the installed Rasa version without importing Rasa."""
    return version("rasa")


def commit() -> str:
    """Return the short git commit, with ``+dirty`` for uncommitted changes."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+dirty" if dirty else head


def run_heading() -> str:
    """Return the heading and machine line that start one run's entry."""
    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load = " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    return (
        f"### {now} · commit {commit()}\n\n"
        f"Machine: {machine()}; load average at start {load}.\n"
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def record(section: str, body: str, results: Path = RESULTS) -> None:
    """Put one run (heading, machine, ``body``) at the top of ``section``."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if not text.startswith("# "):
        text = HEADER.format(kept=RUNS_KEPT)
    blocks = {name: _section_runs(text, name) for name in SECTIONS}
    entry = f"{run_heading()}\n{body.strip()}\n"
    blocks[section] = [entry, *blocks[section]][:RUNS_KEPT]
    parts = [HEADER.format(kept=RUNS_KEPT)]
    for name, title in SECTIONS.items():
        runs = "\n".join(blocks[name]) if blocks[name] else "No run yet.\n"
        parts.append(
            f"<!-- bench:{name} -->\n## {title}\n\n{runs}<!-- /bench:{name} -->\n"
        )
    temporary = results.with_suffix(".md.tmp")
    temporary.write_text("\n".join(parts), encoding="utf-8")
    temporary.replace(results)


def _section_runs(text: str, name: str) -> list[str]:
    """Return the run entries (each starting with ``### ``) of one section."""
    match = re.search(
        rf"<!-- bench:{name} -->\n(.*?)<!-- /bench:{name} -->", text, flags=re.S
    )
    if not match:
        return []
    chunks = re.split(r"^(?=### )", match.group(1), flags=re.MULTILINE)
    return [chunk.rstrip() + "\n" for chunk in chunks if chunk.startswith("### ")]


def assistant_support() -> ModuleType:
    """Import ``tests/support/assistant.py`` by its path.

    ``tests/`` has no ``__init__.py``; a third-party wheel that ships a top-level
    ``tests`` package (textstat does) would otherwise shadow it.
    """
    name = "_bench_assistant_support"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "tests" / "support" / "assistant.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))
    return ordered[index]


def rasa_env() -> dict[str, str]:
    """Return the environment for Rasa subprocesses (the Makefile's settings)."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }


def run_logged(
    command: list[str], log: Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[float, list[str]]:
    """Run ``command`` with its output in ``log``; return seconds and the lines."""
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as output:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=env or rasa_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    if completed.returncode != 0:
        tail = "\n".join(lines[-20:])
        raise RuntimeError(f"{' '.join(command)} failed (log: {log}):\n{tail}")
    return seconds, lines


def write(line: str) -> None:
    """Write one line to stdout at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
