"""Redis lock store whose ticket operations are atomic.

Why: Rasa handles the messages of one conversation one at a time by taking a
ticket lock (``rasa.core.lock.TicketLock``) from its lock store. Rasa's own
``RedisLockStore`` keeps that lock as one JSON value per conversation, but every
change is read - change in Python - write: ``issue_ticket``, ``update_lock``,
``finish_serving`` and ``cleanup`` each ``GET`` the value, change their copy and
``SET`` it back. Two Rasa processes that share Redis can therefore overwrite each
other's change: both issue ticket 0 and both hold the lock at once (two answers
computed on the same conversation, one of them lost), or a finishing holder
deletes the ticket that a newcomer just added, whose message then fails.

How: ``AtomicRedisLockStore`` keeps Rasa's ticket semantics and stored format
(key ``[<key_prefix>:]lock:<conversation id>``, the same JSON as
``TicketLock.dumps``), but every read-change-write is one Lua script, which
Redis runs without interleaving any other command:

- issuing a ticket drops the expired tickets and appends ticket ``last + 1``
  (first-in, first-out; each ticket expires after the lock lifetime, so the
  ticket of a process that died stops blocking the others);
- updating drops the expired tickets;
- finishing removes one ticket, and ``cleanup`` also deletes the key in the
  same step when no ticket is left.

Every write gives the key a Redis expiry a little beyond its latest ticket's
expiry, so a crashed process never leaves a key behind for good. Ticket expiry
is checked with the clock of the Rasa process, as in Rasa's own store. Redis
errors are logged by their type only and raised as Rasa's ``LockError``.

Configured in ``endpoints.yml``::

    lock_store:
      type: components.lock_store.AtomicRedisLockStore
      url: ${LOCK_STORE_URL}
      key_prefix: als
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    LOCK_LIFETIME,
    LockError,
    LockStore,
)
from rasa.utils.endpoints import EndpointConfig
from redis.commands.core import Script
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

URL_ENV = "LOCK_STORE_URL"
DEFAULT_SOCKET_TIMEOUT_SECONDS = 2.0
EXPIRY_MARGIN_SECONDS = 5.0
_OPTIONS = frozenset({"key_prefix", "socket_timeout"})

_COMMON_LUA = """
local function live_tickets(raw, now)
  local tickets = {}
  if not raw then
    return tickets
  end
  local stored = cjson.decode(raw)['tickets']
  if type(stored) ~= 'table' then
    return tickets
  end
  for _, text in ipairs(stored) do
    local ticket = cjson.decode(text)
    local expires = tonumber(ticket['expires'])
    if expires >= now then
      tickets[#tickets + 1] = {
        text = text,
        number = tonumber(ticket['number']),
        expires = expires,
      }
    end
  end
  return tickets
end

local function store(key, conversation_id, tickets, now, margin_ms)
  local texts = {}
  local latest = now
  for index, ticket in ipairs(tickets) do
    texts[index] = ticket.text
    if ticket.expires > latest then
      latest = ticket.expires
    end
  end
  local encoded = '[]'
  if #texts > 0 then
    encoded = cjson.encode(texts)
  end
  local body = '{"conversation_id": ' .. cjson.encode(conversation_id)
    .. ', "tickets": ' .. encoded .. '}'
  local ttl = math.ceil((latest - now) * 1000) + margin_ms
  redis.call('SET', key, body, 'PX', ttl)
end

local key = KEYS[1]
local conversation_id = ARGV[1]
local now = tonumber(ARGV[2])
local margin_ms = tonumber(ARGV[3])
local raw = redis.call('GET', key)
local tickets = live_tickets(raw, now)
"""

_ISSUE_LUA = (
    _COMMON_LUA
    + """
local number = 0
if #tickets > 0 then
  number = tickets[#tickets].number + 1
end
tickets[#tickets + 1] = {
  text = '{"number": ' .. string.format('%d', number)
    .. ', "expires": ' .. ARGV[4] .. '}',
  number = number,
  expires = tonumber(ARGV[4]),
}
store(key, conversation_id, tickets, now, margin_ms)
return number
"""
)

_UPDATE_LUA = (
    _COMMON_LUA
    + """
if raw then
  store(key, conversation_id, tickets, now, margin_ms)
  return 1
end
return 0
"""
)

_FINISH_LUA = (
    _COMMON_LUA
    + """
if not raw then
  return 0
end
local number = tonumber(ARGV[4])
local kept = {}
for _, ticket in ipairs(tickets) do
  if ticket.number ~= number then
    kept[#kept + 1] = ticket
  end
end
if ARGV[5] == '1' and #kept == 0 then
  redis.call('DEL', key)
  return 2
end
store(key, conversation_id, kept, now, margin_ms)
return 1
"""
)


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, every change made by one atomic Lua script.

    See the module docstring for why Rasa's ``RedisLockStore`` is not enough.
    """

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        url: str | None = None,
        key_prefix: str | None = None,
        socket_timeout: float | None = None,
    ) -> None:
        """Connect to the Redis server named by ``url``.

        Args:
            endpoint_config: The ``lock_store`` section of ``endpoints.yml``; its
                ``url`` and the options ``key_prefix`` and ``socket_timeout``
                are used when the arguments of the same name are not given.
            url: Redis URL, e.g. ``redis://127.0.0.1:6380/0``. Default: the
                endpoint's ``url``, else the environment variable
                ``LOCK_STORE_URL``.
            key_prefix: Alphanumeric prefix of the keys (``<prefix>:lock:...``).
            socket_timeout: Seconds to wait for Redis before giving up.

        Raises:
            ValueError: No URL, a non-alphanumeric key prefix or an unknown
                option in the endpoint configuration.
        """
        options: dict[str, Any] = (
            dict(endpoint_config.kwargs) if endpoint_config else {}
        )
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise ValueError(f"Unknown lock store option(s): {', '.join(unknown)}.")
        url = url or (endpoint_config.url if endpoint_config else None)
        url = url or os.environ.get(URL_ENV)
        if not url:
            raise ValueError(f"No lock store URL: set url or {URL_ENV}.")
        if key_prefix is None:
            key_prefix = options.get("key_prefix")
        if socket_timeout is None:
            socket_timeout = float(
                options.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
            )

        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        if key_prefix:
            if not (isinstance(key_prefix, str) and key_prefix.isalnum()):
                raise ValueError("The lock store key_prefix must be alphanumeric.")
            self.key_prefix = f"{key_prefix}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"

        self.red = redis.Redis.from_url(url, socket_timeout=socket_timeout)
        self._margin_ms = int(EXPIRY_MARGIN_SECONDS * 1000)
        self._issue: Script = self.red.register_script(_ISSUE_LUA)
        self._update: Script = self.red.register_script(_UPDATE_LUA)
        self._finish: Script = self.red.register_script(_FINISH_LUA)
        super().__init__()

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _run(
        self, action: str, script: Script, conversation_id: str, *args: str
    ) -> int:
        """Run ``script`` on the lock of ``conversation_id``; errors: ``LockError``."""
        arguments = [conversation_id, repr(time.time()), str(self._margin_ms), *args]
        try:
            return int(script(keys=[self._key(conversation_id)], args=arguments))
        except RedisError as error:
            raise _failed(action, error) from error

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """Append a ticket that expires after ``lock_lifetime`` seconds.

        Returns:
            The ticket's number; the lock is held while it is the oldest ticket.
        """
        expires = time.time() + lock_lifetime
        if not math.isfinite(expires):
            raise ValueError("The lock lifetime must be a finite number of seconds.")
        logger.debug("Issuing ticket for conversation '%s'.", conversation_id)
        return self._run("issue_ticket", self._issue, conversation_id, repr(expires))

    def update_lock(self, conversation_id: str) -> None:
        """Remove the expired tickets of the lock, if there is one."""
        self._run("update_lock", self._update, conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove ticket ``ticket_number`` (and the expired tickets)."""
        self._run(
            "finish_serving",
            self._finish,
            conversation_id,
            str(int(ticket_number)),
            "0",
        )

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove ticket ``ticket_number``; delete the lock if no ticket is left."""
        result = self._run(
            "cleanup", self._finish, conversation_id, str(int(ticket_number)), "1"
        )
        self._log_deletion(conversation_id, deletion_successful=result == 2)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The stored lock of ``conversation_id``, or ``None``."""
        try:
            serialised = self.red.get(self._key(conversation_id))
            if not serialised:
                return None
            return TicketLock.from_dict(json.loads(serialised))
        except (RedisError, ValueError) as error:
            raise _failed("get_lock", error) from error

    def save_lock(self, lock: TicketLock) -> None:
        """Overwrite the stored lock with ``lock`` (one write, no merge)."""
        latest = max((ticket.expires for ticket in lock.tickets), default=0.0)
        ttl = max(0.0, latest - time.time()) + EXPIRY_MARGIN_SECONDS
        try:
            self.red.set(
                self._key(lock.conversation_id),
                lock.dumps(),
                px=math.ceil(ttl * 1000),
            )
        except RedisError as error:
            raise _failed("save_lock", error) from error

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the lock of ``conversation_id``."""
        try:
            deleted = self.red.delete(self._key(conversation_id))
        except RedisError as error:
            raise _failed("delete_lock", error) from error
        self._log_deletion(conversation_id, deletion_successful=bool(deleted))


def _failed(action: str, error: Exception) -> LockError:
    """Log ``error`` by its type only; the ``LockError`` to raise instead."""
    logger.error("Lock store failed (%s): %s.", action, type(error).__name__)
    return LockError(f"Lock store failed ({action}).")
