"""Load test of the cluster: ``make loadtest`` (``python -m bench.loadtest``).

Uses the running cluster (``make cluster``) or starts one and stops it again at
the end. Two phases with the same load, each bounded in time and in turns:

1. **steady**: simulated patients (``bench/locustfile.py``, one fresh sender id
   per conversation) talk through nginx's public REST entry point;
2. **kill-one**: the same, and halfway one Rasa process is killed (SIGKILL). The
   other processes carry on; the cluster's supervisor starts the killed one
   again, as Kubernetes would.

After each phase every conversation is read back from the tracker store
(PostgreSQL) and compared with what the users saw, turn by turn:

- a turn the user got an answer for must be stored once, with exactly the
  replies the user saw, in order; if not, its missing or extra events count as
  ``lost``;
- a turn that failed for the user, or was still waiting for its reply when the
  run ended ("cut off"), may be stored once or not at all;
- any other stored user message or bot reply (a duplicate) counts as ``lost``.

One line per phase, then the totals as the last line:
``turns=N rps=X p50_ms=Y p95_ms=Z errors=E lost=L``. ``turns`` counts the turns
that ended (answered or failed), ``errors`` those that failed for the user
(an error status or no reply, also after the one retry a simulated user makes
when the entry point says the assistant is not reachable), ``rps`` answered
turns per second of load; turns sent twice and turns cut off by the end of the
run are named in the phase line. Exit
code 1 when anything is lost or the steady phase had errors.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import bindparam, create_engine, text

from bench.common import ROOT, VENV_BIN, percentile, record, table, write
from ops.cluster import DEFAULT_DIR, ClusterState, running_cluster

OUTPUT = ROOT / "var" / "loadtest"
START_SECONDS = 300


@dataclass
class Turn:
    """One message a simulated user sent, and what they saw."""

    sender: str
    message: str
    status: str
    replies: list[str]
    ms: float | None
    attempts: int = 1

    @property
    def answered(self) -> bool:
        """Whether the user got the assistant's reply."""
        return self.status == "ok"

    @property
    def cut_off(self) -> bool:
        """Whether the run ended while this turn waited for its reply."""
        return self.status == "pending"


@dataclass
class StoredTurn:
    """A user message in the tracker store and the bot replies after it."""

    message: str
    replies: list[str] = field(default_factory=list)


@dataclass
class PhaseResult:
    """Figures of one phase."""

    name: str
    turns: int
    answered: int
    errors: int
    lost: int
    seconds: float
    latencies_ms: list[float]
    note: str = ""

    @property
    def rps(self) -> float:
        """Answered turns per second of load."""
        return self.answered / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        """The summary line of the issue's format."""
        p50 = percentile(self.latencies_ms, 0.50) if self.latencies_ms else 0.0
        p95 = percentile(self.latencies_ms, 0.95) if self.latencies_ms else 0.0
        return (
            f"turns={self.turns} rps={self.rps:.1f} p50_ms={p50:.0f} "
            f"p95_ms={p95:.0f} errors={self.errors} lost={self.lost}"
        )


def count_lost(sent: Sequence[Turn], stored: Sequence[StoredTurn]) -> int:
    """Events of one conversation that are missing or duplicated in the store.

    ``sent`` and ``stored`` are in order. Answered turns must be stored with
    exactly their replies; failed turns may be stored or not; anything else
    stored counts as lost (a duplicate).
    """
    lost = 0
    position = 0
    for turn in sent:
        match = position < len(stored) and stored[position].message == turn.message
        if turn.answered:
            if not match:
                lost += 1 + len(turn.replies)
                continue
            found = stored[position].replies
            if found != turn.replies:
                common = sum(
                    1 for a, b in zip(found, turn.replies, strict=False) if a == b
                )
                lost += max(len(found), len(turn.replies)) - common
            position += 1
        elif match:
            position += 1
    lost += sum(1 + len(extra.replies) for extra in stored[position:])
    return lost


def stored_conversations(
    tracker_db_url: str, senders: Iterable[str]
) -> dict[str, list[StoredTurn]]:
    """User messages and bot replies of each sender, in the order stored."""
    wanted = sorted(set(senders))
    conversations: dict[str, list[StoredTurn]] = defaultdict(list)
    if not wanted:
        return conversations
    engine = create_engine(tracker_db_url, future=True)
    query = text(
        "SELECT sender_id, type_name, data FROM events "
        "WHERE sender_id IN :senders AND type_name IN ('user', 'bot') ORDER BY id"
    ).bindparams(bindparam("senders", expanding=True))
    try:
        with engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                rows = connection.execute(
                    query, {"senders": wanted[start : start + 500]}
                )
                for sender, kind, data in rows:
                    event = json.loads(data)
                    conversation = conversations[sender]
                    if kind == "user":
                        conversation.append(StoredTurn(str(event.get("text"))))
                    elif conversation:
                        conversation[-1].replies.append(str(event.get("text")))
                    else:
                        conversation.append(StoredTurn("", [str(event.get("text"))]))
    finally:
        engine.dispose()
    return conversations


def load_turns(path: Path) -> list[Turn]:
    """The turns ``bench/locustfile.py`` recorded."""
    raw: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return [
        Turn(
            sender=item["sender"],
            message=item["message"],
            status=item["status"],
            replies=list(item.get("replies") or []),
            ms=item.get("ms"),
            attempts=int(item.get("attempts") or 1),
        )
        for item in raw
    ]


def check_phase(
    name: str, turns: list[Turn], seconds: float, tracker_db_url: str, note: str = ""
) -> PhaseResult:
    """Compare what users saw with the tracker store; return the figures."""
    by_sender: dict[str, list[Turn]] = defaultdict(list)
    for turn in turns:
        by_sender[turn.sender].append(turn)
    stored = stored_conversations(tracker_db_url, by_sender)
    lost = sum(
        count_lost(sent, stored.get(sender, [])) for sender, sent in by_sender.items()
    )
    answered = [turn for turn in turns if turn.answered]
    ended = [turn for turn in turns if not turn.cut_off]
    cut_off = len(turns) - len(ended)
    retried = sum(1 for turn in ended if turn.attempts > 1)
    if retried:
        note = "; ".join(filter(None, [note, f"{retried} turn(s) sent twice"]))
    if cut_off:
        note = "; ".join(filter(None, [note, f"{cut_off} turn(s) cut off at the end"]))
    return PhaseResult(
        name=name,
        turns=len(ended),
        answered=len(answered),
        errors=len(ended) - len(answered),
        lost=lost,
        seconds=seconds,
        latencies_ms=[turn.ms for turn in answered if turn.ms is not None],
        note=note,
    )


def kill_one_rasa(directory: Path, after_seconds: float, report: list[str]) -> None:
    """After ``after_seconds``, SIGKILL the first Rasa process of the cluster."""
    time.sleep(after_seconds)
    state = ClusterState.load(directory / "state.json")
    if state is None or not state.rasa:
        report.append("no cluster state: nothing killed")
        return
    victim = state.rasa[0]
    try:
        os.kill(victim.pid, signal.SIGKILL)
    except ProcessLookupError:
        report.append(f"{victim.name} (pid {victim.pid}) was already gone")
        return
    report.append(
        f"killed {victim.name} (pid {victim.pid}) after {after_seconds:.0f} s"
    )


def run_phase(
    name: str,
    state: ClusterState,
    directory: Path,
    users: int,
    spawn_rate: float,
    seconds: int,
    max_turns: int,
    kill_halfway: bool,
) -> PhaseResult:
    """Run locust for one phase and check the tracker store afterwards."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    records = OUTPUT / f"{name}.json"
    records.unlink(missing_ok=True)
    env = {
        **os.environ,
        "LOADTEST_RECORDS": str(records),
        "LOADTEST_MAX_TURNS": str(max_turns),
        "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "20",
        "--host",
        state.public_url,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    notes: list[str] = []
    killer = None
    if kill_halfway:
        killer = threading.Thread(
            target=kill_one_rasa, args=(directory, seconds / 2, notes), daemon=True
        )
    log = OUTPUT / f"{name}.log"
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        if killer is not None:
            killer.start()
        process.wait()
    elapsed = time.monotonic() - started
    if killer is not None:
        killer.join(timeout=5)
    if not records.exists():
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-20:])
        raise RuntimeError(f"locust wrote no records (log {log}):\n{tail}")
    turns = load_turns(records)
    return check_phase(
        name,
        turns,
        min(elapsed, float(seconds)),
        state.tracker_db_url,
        "; ".join(notes),
    )


UNLIMITED_CLIENT = {
    "CLIENT_RATE_LIMIT_PER_MINUTE": "0",
    "CLIENT_NEW_CONVERSATIONS_PER_MINUTE": "0",
}
"""The load generator is one client address: a cluster started for the load
test has no limits per client (a running one must be started so too)."""


def ensure_cluster(
    directory: Path,
) -> tuple[ClusterState, subprocess.Popen[bytes] | None]:
    """The running cluster, or a new one started for this test."""
    state = running_cluster(directory)
    if state is not None:
        write(f"Using the running cluster at {state.public_url}.")
        return state, None
    write("No cluster is running: starting one (make cluster) ...")
    directory.mkdir(parents=True, exist_ok=True)
    log = (directory / "loadtest-cluster.log").open("wb")
    process = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "ops.cluster", "up", "--dir", str(directory)],
        cwd=ROOT,
        env={**os.environ, **UNLIMITED_CLIENT},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the cluster did not start; see {log.name}")
        state = running_cluster(directory)
        if state is not None:
            write(f"Cluster started at {state.public_url}.")
            return state, process
        time.sleep(1)
    process.terminate()
    raise TimeoutError(f"the cluster did not start in {START_SECONDS} s")


def stop_cluster(process: subprocess.Popen[bytes]) -> None:
    """Stop the cluster this run started."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until_healthy(
    state: ClusterState, directory: Path, seconds: float = 120
) -> None:
    """Wait until every Rasa process answers again (after the kill phase)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = ClusterState.load(directory / "state.json") or state
        try:
            if all(
                requests.get(f"http://127.0.0.1:{server.port}/", timeout=2).ok
                for server in current.rasa
            ):
                return
        except requests.RequestException:
            pass
        time.sleep(1)


def total(results: list[PhaseResult]) -> PhaseResult:
    """All phases together."""
    return PhaseResult(
        name="total",
        turns=sum(r.turns for r in results),
        answered=sum(r.answered for r in results),
        errors=sum(r.errors for r in results),
        lost=sum(r.lost for r in results),
        seconds=sum(r.seconds for r in results),
        latencies_ms=[ms for r in results for ms in r.latencies_ms],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run both phases; print one line per phase and the totals last."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__
    )
    parser.add_argument("--users", type=int, default=120, help="concurrent users")
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--seconds", type=int, default=60, help="per phase")
    parser.add_argument("--max-turns", type=int, default=20000, help="per phase")
    parser.add_argument("--phases", default="steady,kill-one")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    state, started = ensure_cluster(args.dir)
    results: list[PhaseResult] = []
    try:
        for name in phases:
            write(
                f"Phase {name}: {args.users} users, {args.seconds} s, "
                f"at most {args.max_turns} turns ..."
            )
            result = run_phase(
                name,
                state,
                args.dir,
                args.users,
                args.spawn_rate,
                args.seconds,
                args.max_turns,
                kill_halfway=name == "kill-one",
            )
            results.append(result)
            note = f" ({result.note})" if result.note else ""
            write(f"{name}: {result.line()}{note}")
            if name == "kill-one":
                wait_until_healthy(state, args.dir)
    finally:
        if started is not None:
            write("Stopping the cluster this run started ...")
            stop_cluster(started)
    summary = total(results)
    if not args.no_record and results:
        rows = [
            [r.name, *(field.split("=")[1] for field in r.line().split()), r.note]
            for r in [*results, summary]
        ]
        record(
            "loadtest",
            f"{args.users} users, {args.seconds} s per phase, "
            f"{len(state.rasa)} Rasa processes behind nginx.\n\n"
            + table(
                ["phase", "turns", "rps", "p50 ms", "p95 ms", "errors", "lost", "note"],
                rows,
            ),
        )
    write(summary.line())
    steady_errors = sum(r.errors for r in results if r.name == "steady")
    return 1 if summary.lost or steady_errors else 0


if __name__ == "__main__":
    sys.exit(main())
