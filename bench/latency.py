"""Latency of one REST turn: a plain FAQ turn and a database-backed turn.

Starts the trained assistant (``models/als-assistent.tar.gz``) on free loopback
ports with its own SQLite databases, checks that each kind of turn gets its
intended answer, sends warm-up turns, then measures each kind of turn with 1
conversation and with N concurrent conversations (asyncio + aiohttp, one sender
id per simulated user, a fresh sender id every ``--conversation-turns`` turns so
trackers stay as long as a real conversation). Reports median and p95 of one
turn, turns per second, startup time and the Rasa server's memory.

Usage: ``.venv/bin/python -m bench.latency [--turns 500] [--concurrency 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiohttp

from bench.common import assistant_support, percentile, read_proc, record, table, write

TURNS = {
    "faq": "wat is riluzol",
    "database": "wat houdt het MRI-onderzoek in",
}
EXPECTED = {"faq": "riluzol", "database": "MRI"}
"""A word the intended answer contains: the turn did not fall to the fallback."""

FAQ_FLOOR = {"p50_ms": 30.0, "p95_ms": 80.0}
CONCURRENT_FLOOR = {"turns_per_s": 60.0, "p95_ms": 500.0}
RSS_FLOOR_MB = 900.0


class Assistant(Protocol):
    """What the benchmark uses of ``tests.support.assistant.RunningAssistant``."""

    rest_url: str
    rasa: subprocess.Popen[bytes]
    actions: subprocess.Popen[bytes]
    startup_seconds: float


@dataclass
class CaseResult:
    """Timings of one kind of turn at one level of concurrency."""

    kind: str
    conversations: int
    durations_ms: list[float]
    wall_s: float
    errors: int
    cpu_ms: dict[str, float]
    """CPU time per answered turn of each process (Rasa, actions, load)."""

    @property
    def p50_ms(self) -> float:
        """Median of one turn in milliseconds."""
        return statistics.median(self.durations_ms)

    @property
    def p95_ms(self) -> float:
        """95th percentile of one turn in milliseconds."""
        return percentile(self.durations_ms, 0.95)

    @property
    def turns_per_s(self) -> float:
        """Answered turns per second of wall time, all conversations together."""
        return len(self.durations_ms) / self.wall_s

    def floor(self) -> str:
        """Say whether the issue's floor for this case is met."""
        if self.conversations > 1:
            met = (
                self.turns_per_s >= CONCURRENT_FLOOR["turns_per_s"]
                and self.p95_ms < CONCURRENT_FLOOR["p95_ms"]
            )
            return f"≥60 turns/s, p95 <500 ms: {'met' if met else 'NOT met'}"
        if self.kind == "faq":
            met = (
                self.p50_ms < FAQ_FLOOR["p50_ms"] and self.p95_ms < FAQ_FLOOR["p95_ms"]
            )
            return f"p50 <30 ms, p95 <80 ms: {'met' if met else 'NOT met'}"
        return "none set"

    def summary(self) -> str:
        """Return the one-line summary of this case."""
        return (
            f"{self.kind:8} conversations={self.conversations:<3} "
            f"turns={len(self.durations_ms)} p50_ms={self.p50_ms:.1f} "
            f"p95_ms={self.p95_ms:.1f} turns_per_s={self.turns_per_s:.1f} "
            f"errors={self.errors} cpu_ms_per_turn="
            + "/".join(f"{name}:{value:.1f}" for name, value in self.cpu_ms.items())
        )


def rss_mb(pid: int) -> tuple[float, float]:
    """Return current (VmRSS) and peak (VmHWM) resident memory of ``pid`` in MB."""
    status = read_proc(f"/proc/{pid}/status")
    return (
        int(status["VmRSS"].split()[0]) / 1024,
        int(status["VmHWM"].split()[0]) / 1024,
    )


def cpu_seconds(pid: int | None = None) -> float:
    """Return user + system CPU seconds used so far by ``pid`` (None: this one)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1]
    utime, stime = fields.split()[11:13]
    return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(assistant: Assistant) -> dict[str, float]:
    """Return CPU seconds so far of the Rasa server, action server and load."""
    return {
        "rasa": cpu_seconds(assistant.rasa.pid),
        "actions": cpu_seconds(assistant.actions.pid),
        "load": cpu_seconds(),
    }


def child_pids(pid: int) -> list[int]:
    """Return the direct children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text(encoding="utf-8").split()]


async def simulate_user(
    session: aiohttp.ClientSession,
    url: str,
    message: str,
    turns: int,
    conversation_turns: int,
    durations: list[float],
) -> int:
    """Send ``turns`` turns as one user; append each duration; return errors."""
    errors = 0
    sender = ""
    for turn in range(turns):
        if turn % conversation_turns == 0:
            sender = f"bench-{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            async with session.post(
                url, json={"sender": sender, "message": message}
            ) as response:
                replies = await response.json()
                ok = response.status == 200 and bool(replies)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        if ok:
            durations.append(elapsed)
        else:
            errors += 1
    return errors


async def run_case(
    assistant: Assistant,
    kind: str,
    conversations: int,
    turns: int,
    conversation_turns: int,
) -> CaseResult:
    """Send at least ``turns`` turns of ``kind`` from ``conversations`` users."""
    url = assistant.rest_url
    per_user = math.ceil(turns / conversations)
    durations: list[float] = []
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        cpu_before = cpu_snapshot(assistant)
        started = time.perf_counter()
        errors = await asyncio.gather(
            *(
                simulate_user(
                    session, url, TURNS[kind], per_user, conversation_turns, durations
                )
                for _ in range(conversations)
            )
        )
        wall = time.perf_counter() - started
        cpu_after = cpu_snapshot(assistant)
    if not durations:
        raise RuntimeError(f"every {kind} turn failed")
    cpu_ms = {
        name: (cpu_after[name] - cpu_before[name]) * 1000 / len(durations)
        for name in cpu_before
    }
    return CaseResult(kind, conversations, durations, wall, sum(errors), cpu_ms)


async def check_answers(url: str) -> None:
    """Fail unless each kind of turn gets its intended answer."""
    async with aiohttp.ClientSession() as session:
        for kind, message in TURNS.items():
            sender = f"bench-check-{uuid.uuid4().hex}"
            async with session.post(
                url, json={"sender": sender, "message": message}
            ) as response:
                replies = await response.json()
            texts = " ".join(str(reply.get("text", "")) for reply in replies)
            if EXPECTED[kind].lower() not in texts.lower():
                raise RuntimeError(f"{kind} turn {message!r} got {texts!r}")


def report(
    assistant: Assistant,
    cases: list[CaseResult],
    rss_start: tuple[float, float],
    arguments: argparse.Namespace,
) -> str:
    """Return the Markdown body of this run for ``results.md``."""
    rasa_rss, rasa_peak = rss_mb(assistant.rasa.pid)
    actions_rss, _ = rss_mb(assistant.actions.pid)
    rows = [
        [
            f"{case.kind} (“{TURNS[case.kind]}”)",
            str(case.conversations),
            str(len(case.durations_ms)),
            f"{case.p50_ms:.1f}",
            f"{case.p95_ms:.1f}",
            f"{case.turns_per_s:.1f}",
            str(case.errors),
            " / ".join(f"{value:.1f}" for value in case.cpu_ms.values()),
            case.floor(),
        ]
        for case in cases
    ]
    header = [
        "turn",
        "conversations",
        "turns",
        "p50 ms",
        "p95 ms",
        "turns/s",
        "errors",
        "CPU ms/turn: Rasa / actions / load",
        "floor",
    ]
    rss_met = "met" if rss_start[0] < RSS_FLOOR_MB else "NOT met"
    return (
        table(header, rows)
        + "\n"
        + table(
            ["server", "value"],
            [
                ["startup (both servers up)", f"{assistant.startup_seconds:.1f} s"],
                [
                    "Rasa RSS after start",
                    f"{rss_start[0]:.0f} MB (floor <900 MB: {rss_met})",
                ],
                ["Rasa RSS after the run", f"{rasa_rss:.0f} MB"],
                ["Rasa peak RSS (VmHWM)", f"{rasa_peak:.0f} MB"],
                ["action server RSS after the run", f"{actions_rss:.0f} MB"],
            ],
        )
        + f"\nSettings: {arguments.warmup} warm-up turns of each kind; a simulated "
        f"user starts a new conversation (sender id) every "
        f"{arguments.conversation_turns} turns; the {arguments.concurrency} "
        "concurrent users share the turns of a case. The load generator "
        "(asyncio + aiohttp, one process) runs on the same cores as both servers; "
        "conversations go to a SQLite tracker store, as with the default `.env`. "
        "CPU ms/turn: user + system CPU time of each process during the case "
        "divided by the turns (from /proc): a server whose CPU ms/turn times "
        "turns/s nears 1000 keeps one core busy, which a single-process server "
        "cannot exceed.\n"
    )


def main() -> None:
    """Run the benchmark, print one line per case and record the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=500, help="turns per case")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--conversation-turns", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--no-record", action="store_true", help="do not write bench/results.md"
    )
    arguments = parser.parse_args()
    support = assistant_support()
    with tempfile.TemporaryDirectory() as workdir:
        with support.start_assistant(Path(workdir)) as assistant:
            if child_pids(assistant.rasa.pid):
                write("note: the Rasa server has child processes; RSS is its own")
            rss_start = rss_mb(assistant.rasa.pid)
            write(
                f"startup_s={assistant.startup_seconds:.1f} "
                f"rasa_rss_mb={rss_start[0]:.0f}"
            )
            asyncio.run(check_answers(assistant.rest_url))
            for kind in TURNS:
                asyncio.run(run_case(assistant, kind, 1, arguments.warmup, 10))
            cases = []
            for conversations in (1, arguments.concurrency):
                for kind in TURNS:
                    case = asyncio.run(
                        run_case(
                            assistant,
                            kind,
                            conversations,
                            arguments.turns,
                            arguments.conversation_turns,
                        )
                    )
                    write(case.summary())
                    cases.append(case)
            body = report(assistant, cases, rss_start, arguments)
    if not arguments.no_record:
        record("latency", body)
        write("recorded in bench/results.md")


if __name__ == "__main__":
    main()
