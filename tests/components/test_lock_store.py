"""``AtomicRedisLockStore`` against a real, throwaway ``redis-server``.

The server is started once for this module on a free loopback port, without
persistence, and stopped at the end. Without ``/usr/bin/redis-server`` the tests
are skipped, but fail when ``CI=true``.

Eight forked processes take turns on one conversation. Whether Rasa's own
``RedisLockStore`` fails that test depends on timing, so the bug it has is shown
deterministically instead: two stores play two Rasa processes, and the second
one acts at every point between the Redis commands of the first one, by hand.
The two ``test_upstream_*`` tests document that Rasa's store then grants one
lock twice and loses a ticket; the same interleavings are harmless with
``AtomicRedisLockStore``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

import components.lock_store as lock_store_module
from components.lock_store import AtomicRedisLockStore
from tests.support.assistant import free_port
from tests.support.tools import require

REDIS_SERVER = Path("/usr/bin/redis-server")
CLASS_PATH = "components.lock_store.AtomicRedisLockStore"
WORKERS = 8
ROUNDS = 10
COUNT = "test:count"
HOLDERS = "test:holders"
OVERLAPS = "test:overlaps"
SERVED = "test:served"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """Start a throwaway Redis server; yield its URL."""
    require(REDIS_SERVER, "redis-server")
    base = Path(tempfile.mkdtemp(prefix="als-redis-"))
    port = free_port()
    log = base / "redis.log"
    process = subprocess.Popen(
        [
            str(REDIS_SERVER),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(base),
            "--logfile",
            str(log),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {log.read_text()}")
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A plain client on the emptied test database."""
    plain = redis.Redis.from_url(redis_url)
    plain.flushdb()
    yield plain
    plain.close()


@pytest.fixture
def conversation_id() -> str:
    return f"gesprek-{uuid.uuid4().hex[:8]}"


def _upstream_store(url: str) -> RedisLockStore:
    parsed = urlparse(url)
    return RedisLockStore(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 6379,
        db=int(parsed.path.lstrip("/") or 0),
    )


@contextmanager
def _other_process_before(
    store: LockStore, index: int, other_process: Callable[[], None]
) -> Iterator[list[bool]]:
    """Run ``other_process`` just before ``store`` sends its ``index``-th command.

    Yields a list that holds ``True`` once ``other_process`` has run.
    """
    connection: redis.Redis = store.red  # type: ignore[attr-defined]
    real = connection.execute_command
    sent = 0
    ran: list[bool] = []

    def execute_command(*args: Any, **options: Any) -> Any:
        nonlocal sent
        if sent == index:
            ran.append(True)
            other_process()
        sent += 1
        return real(*args, **options)

    connection.execute_command = execute_command  # type: ignore[method-assign]
    try:
        yield ran
    finally:
        del connection.execute_command


StoreFactory = Callable[[str], LockStore]
IssueOutcome = tuple[tuple[int, ...], int, int]


def _issue_race(make_store: StoreFactory, url: str, index: int) -> IssueOutcome | None:
    """Two processes issue a ticket; the second just before the first's command.

    Returns (tickets issued, tickets stored, tickets holding the lock), or
    ``None`` when the first process sent fewer than ``index + 1`` commands.
    """
    conversation_id = f"race-{uuid.uuid4().hex[:8]}"
    first, second = make_store(url), make_store(url)
    issued: list[int] = []
    with _other_process_before(
        first, index, lambda: issued.append(second.issue_ticket(conversation_id))
    ) as ran:
        issued.append(first.issue_ticket(conversation_id))
    if not ran:
        return None
    lock = first.get_lock(conversation_id)
    assert lock is not None
    holders = sum(not lock.is_locked(ticket) for ticket in issued)
    return tuple(sorted(issued)), len(lock.tickets), holders


def _issue_races(make_store: StoreFactory, url: str) -> list[IssueOutcome]:
    """``_issue_race`` at every point between the first process's commands."""
    outcomes: list[IssueOutcome] = []
    for index in itertools.count():
        outcome = _issue_race(make_store, url, index)
        if outcome is None:
            return outcomes
        outcomes.append(outcome)
    raise AssertionError("unreachable")


async def _cleanup_race(make_store: StoreFactory, url: str, index: int) -> bool | None:
    """A newcomer takes a ticket just before the holder's ``index``-th command.

    Returns whether the newcomer then gets the lock, or ``None`` when the
    holder's cleanup sent fewer than ``index + 1`` commands.
    """
    conversation_id = f"race-{uuid.uuid4().hex[:8]}"
    holder, newcomer = make_store(url), make_store(url)
    held = holder.issue_ticket(conversation_id)
    waiting: list[int] = []
    with _other_process_before(
        holder, index, lambda: waiting.append(newcomer.issue_ticket(conversation_id))
    ) as ran:
        holder.cleanup(conversation_id, held)
    if not ran:
        return None
    try:
        await asyncio.wait_for(
            newcomer._acquire_lock(conversation_id, waiting[0], 0.01), 1
        )
    except (LockError, asyncio.TimeoutError):
        return False
    newcomer.cleanup(conversation_id, waiting[0])
    return True


async def _cleanup_races(make_store: StoreFactory, url: str) -> list[bool]:
    """``_cleanup_race`` at every point between the holder's commands."""
    outcomes: list[bool] = []
    for index in itertools.count():
        outcome = await _cleanup_race(make_store, url, index)
        if outcome is None:
            return outcomes
        outcomes.append(outcome)
    raise AssertionError("unreachable")


async def _critical_sections(url: str, conversation_id: str) -> None:
    store = AtomicRedisLockStore(url=url)
    shared = redis.Redis.from_url(url)
    for _ in range(ROUNDS):
        async with store.lock(
            conversation_id, lock_lifetime=10, wait_time_in_seconds=0.01
        ) as lock:
            if shared.incr(HOLDERS) != 1:
                shared.incr(OVERLAPS)
            value = int(shared.get(COUNT) or 0)
            await asyncio.sleep(0.002)
            shared.set(COUNT, value + 1)
            shared.rpush(SERVED, str(lock.now_serving))
            shared.decr(HOLDERS)


def _worker(url: str, conversation_id: str, start: Any) -> None:
    start.wait(10)
    asyncio.run(_critical_sections(url, conversation_id))


def test_processes_take_turns_on_one_conversation(
    redis_url: str, client: redis.Redis, conversation_id: str
) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WORKERS)
    workers = [
        context.Process(target=_worker, args=(redis_url, conversation_id, start))
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(15)
    stuck = [worker for worker in workers if worker.exitcode is None]
    for worker in stuck:
        worker.kill()
        worker.join()
    assert not stuck, "some workers never got the lock"
    assert [worker.exitcode for worker in workers] == [0] * WORKERS
    assert int(client.get(OVERLAPS) or 0) == 0
    assert int(client.get(COUNT) or 0) == WORKERS * ROUNDS
    assert client.llen(SERVED) == WORKERS * ROUNDS
    assert not client.exists(f"lock:{conversation_id}")


def test_simultaneous_tickets_are_both_kept(
    redis_url: str, client: redis.Redis
) -> None:
    outcomes = _issue_races(lambda url: AtomicRedisLockStore(url=url), redis_url)
    assert outcomes
    assert set(outcomes) == {((0, 1), 2, 1)}


def test_upstream_redis_lock_store_grants_one_lock_twice(
    redis_url: str, client: redis.Redis
) -> None:
    """Documents the upstream bug: both processes get ticket 0 and hold the lock."""
    outcomes = _issue_races(_upstream_store, redis_url)
    assert ((0, 1), 2, 1) in outcomes
    assert ((0, 0), 1, 2) in outcomes


async def test_newcomer_survives_a_simultaneous_cleanup(
    redis_url: str, client: redis.Redis
) -> None:
    outcomes = await _cleanup_races(
        lambda url: AtomicRedisLockStore(url=url), redis_url
    )
    assert outcomes
    assert all(outcomes)
    assert not client.keys("*lock:*")


async def test_upstream_redis_lock_store_loses_a_simultaneous_ticket(
    redis_url: str, client: redis.Redis
) -> None:
    """Documents the upstream bug: the holder's cleanup drops the newcomer's ticket."""
    outcomes = await _cleanup_races(_upstream_store, redis_url)
    assert True in outcomes
    assert False in outcomes


async def test_ticket_of_a_dead_holder_stops_blocking_after_its_lifetime(
    redis_url: str, client: redis.Redis, conversation_id: str
) -> None:
    lifetime = 0.5
    AtomicRedisLockStore(url=redis_url).issue_ticket(conversation_id, lifetime)
    alive = AtomicRedisLockStore(url=redis_url)
    started = time.monotonic()

    async def take_lock() -> float:
        async with alive.lock(
            conversation_id, lock_lifetime=10, wait_time_in_seconds=0.01
        ):
            return time.monotonic() - started

    waited = await asyncio.wait_for(take_lock(), 3)
    assert lifetime - 0.1 <= waited <= lifetime + 0.5
    assert not client.exists(f"lock:{conversation_id}")


async def test_cleanup_deletes_the_key_when_nobody_waits_and_keys_expire(
    redis_url: str, client: redis.Redis, conversation_id: str
) -> None:
    store = AtomicRedisLockStore(url=redis_url, key_prefix="als")
    waiter = AtomicRedisLockStore(url=redis_url, key_prefix="als")
    key = f"als:lock:{conversation_id}"
    margin_ms = lock_store_module.EXPIRY_MARGIN_SECONDS * 1000

    async with store.lock(conversation_id, lock_lifetime=30):
        assert 29_000 < client.pttl(key) <= 30_000 + margin_ms
        ticket = waiter.issue_ticket(conversation_id, 60)
        assert 59_000 < client.pttl(key) <= 60_000 + margin_ms
    lock = waiter.get_lock(conversation_id)
    assert lock is not None and not lock.is_locked(ticket)
    waiter.cleanup(conversation_id, ticket)
    assert not client.exists(key)

    waiter.update_lock(conversation_id)
    waiter.finish_serving(conversation_id, ticket)
    assert not client.exists(key)


def test_key_of_a_crashed_process_disappears(
    redis_url: str,
    client: redis.Redis,
    conversation_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lock_store_module, "EXPIRY_MARGIN_SECONDS", 0.1)
    store = AtomicRedisLockStore(url=redis_url)
    store.issue_ticket(conversation_id, 0.2)
    assert client.exists(f"lock:{conversation_id}")
    time.sleep(0.5)
    assert not client.exists(f"lock:{conversation_id}")


def test_stored_lock_is_readable_by_rasas_store_and_back(
    redis_url: str, client: redis.Redis, conversation_id: str
) -> None:
    ours = AtomicRedisLockStore(url=redis_url)
    upstream = _upstream_store(redis_url)
    ours.issue_ticket(conversation_id, 10)
    ours.issue_ticket(conversation_id, 20)
    ours_lock, upstream_lock = (
        ours.get_lock(conversation_id),
        upstream.get_lock(conversation_id),
    )
    assert ours_lock is not None and upstream_lock is not None
    assert upstream_lock.dumps() == ours_lock.dumps()
    assert [t.number for t in upstream_lock.tickets] == [0, 1]

    upstream.issue_ticket(conversation_id, 30)
    assert ours.issue_ticket(conversation_id, 30) == 3
    ours.save_lock(upstream_lock)
    assert 0 < client.pttl(f"lock:{conversation_id}") <= 25_000


@contextmanager
def _silent_server() -> Iterator[int]:
    """A port that accepts connections but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("server", ["refused", "silent"])
async def test_redis_down_raises_lock_error_quickly(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    with _silent_server() as silent_port:
        port = free_port() if server == "refused" else silent_port
        store = AtomicRedisLockStore(
            url=f"redis://127.0.0.1:{port}/0", socket_timeout=0.3
        )
        started = time.monotonic()
        with caplog.at_level(logging.ERROR, logger="components.lock_store"):
            with pytest.raises(LockError):
                async with store.lock("geheim-gesprek", wait_time_in_seconds=0.01):
                    pytest.fail("lock granted without Redis")
        assert time.monotonic() - started < 2
    assert caplog.records
    assert "Error" in caplog.text
    assert "geheim-gesprek" not in caplog.text
    assert str(port) not in caplog.text


async def test_rasa_loads_the_store_from_an_endpoint_config(
    redis_url: str, client: redis.Redis, conversation_id: str
) -> None:
    store = LockStore.create(
        EndpointConfig(url=redis_url, type=CLASS_PATH, key_prefix="als")
    )
    assert isinstance(store, AtomicRedisLockStore)
    async with store.lock(conversation_id):
        assert client.exists(f"als:lock:{conversation_id}")
    assert not client.exists(f"als:lock:{conversation_id}")


async def test_rasa_loads_the_store_from_endpoints_yml(
    redis_url: str,
    client: redis.Redis,
    conversation_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOCK_STORE_URL", redis_url)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "lock_store:\n"
        f"  type: {CLASS_PATH}\n"
        "  url: ${LOCK_STORE_URL}\n"
        "  key_prefix: als\n"
    )
    config = AvailableEndpoints.read_endpoints(str(endpoints)).lock_store
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    async with store.lock(conversation_id):
        assert client.exists(f"als:lock:{conversation_id}")

    from_env = LockStore.create(EndpointConfig(type=CLASS_PATH))
    async with from_env.lock(conversation_id):
        assert client.exists(f"lock:{conversation_id}")


def test_misconfiguration_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    with pytest.raises(ValueError, match="URL"):
        AtomicRedisLockStore(EndpointConfig(type=CLASS_PATH))
    with pytest.raises(ValueError, match="alphanumeric"):
        AtomicRedisLockStore(url="redis://127.0.0.1:1/0", key_prefix="als-test")
    with pytest.raises(ValueError, match="db"):
        AtomicRedisLockStore(EndpointConfig(url="redis://127.0.0.1:1/0", db=1))
