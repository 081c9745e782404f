"""A scale-out cluster on loopback, started with one command: ``make cluster``.

The same parts a production deployment has (see ``docs/deploy.md``), as local
processes on 127.0.0.1:

- **PostgreSQL 15**: the tracker store (database ``tracker``) and the project
  database with studies and contacts (``als``). Data in ``<dir>/postgres``, kept
  between runs.
- **Redis**: the lock store, through ``components.lock_store.AtomicRedisLockStore``
  (Rasa's own Redis lock store does not take its lock atomically). No
  persistence: locks only live for seconds.
- **Rasa servers** (``CLUSTER_RASA_PROCESSES``, default 2): the same model
  (pulled from the project's model server, so ``make train`` reaches all of
  them), the same secrets from ``.env``, no HTTP API (``--enable-api`` is off).
- **Two action servers** behind an internal nginx listener: round robin, and a
  call to a server that is down goes to the other one.
- **nginx**: the only public entry point, on ``CLUSTER_PORT``. It passes only
  the chat channels (the page, socket.io, REST and its health route) and routes
  each conversation to one Rasa process (``ops.nginx``).

``python -m ops.cluster up`` runs in the foreground like a process supervisor:
a Rasa or action server that dies is started again, Ctrl-C or SIGTERM stops
everything. While it runs, ``<dir>/state.json`` says where each part listens;
``status`` prints it and ``down`` stops a running cluster. Logs are in
``<dir>/log`` and never contain message texts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from bot.settings import PROJECT_ROOT, get_settings
from ops.nginx import NginxLayout, render_nginx_conf
from ops.processes import (
    free_port,
    port_is_open,
    stop_process,
    wait_for_port,
    wait_until_up,
)

logger = logging.getLogger("ops.cluster")

DEFAULT_DIR = PROJECT_ROOT / "var" / "cluster"
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = Path(os.environ.get("REDIS_SERVER", "/usr/bin/redis-server"))
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
LIVE_MODEL = PROJECT_ROOT / "var" / "live" / "model.tar.gz"
ACTION_SERVERS = 2
START_SECONDS = 240
RESTART_PAUSE_SECONDS = 10.0
"""A server that died is started again at most this often (no crash loop)."""
TRACKER_DB, PROJECT_DB = "tracker", "als"


@dataclass
class ServerState:
    """One server process of the cluster."""

    name: str
    port: int
    pid: int = 0


@dataclass
class ClusterState:
    """Where the parts of a running cluster listen (``state.json``)."""

    supervisor_pid: int
    public_url: str
    tracker_db_url: str
    database_url: str
    lock_store_url: str
    rasa: list[ServerState] = field(default_factory=list)
    actions: list[ServerState] = field(default_factory=list)
    ready: bool = False

    @classmethod
    def load(cls, path: Path) -> ClusterState | None:
        """The state in ``path``; ``None`` when there is none."""
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        raw["rasa"] = [ServerState(**server) for server in raw.get("rasa", [])]
        raw["actions"] = [ServerState(**server) for server in raw.get("actions", [])]
        return cls(**raw)

    def save(self, path: Path) -> None:
        """Write the state atomically."""
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        temporary.replace(path)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_cluster(directory: Path = DEFAULT_DIR) -> ClusterState | None:
    """The state of a cluster that runs and answers; otherwise ``None``."""
    state = ClusterState.load(directory / "state.json")
    if state is None or not state.ready or not pid_alive(state.supervisor_pid):
        return None
    try:
        health = requests.get(f"{state.public_url}/webhooks/rest/health", timeout=5)
    except requests.RequestException:
        return None
    return state if health.ok else None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run as the user ``postgres`` then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _lock_lifetime_seconds(action_timeout: float) -> int:
    """Conversation lock lifetime: well beyond the longest turn.

    A turn waits at most ``action_timeout`` for its custom action; the lock must
    outlive that, or a second message of the same conversation could run
    beside the first. A lock left by a process that died frees itself after
    this time.
    """
    return int(2 * action_timeout + 5)


class Cluster:
    """Starts, watches and stops every part; see the module docstring."""

    def __init__(
        self,
        directory: Path = DEFAULT_DIR,
        public_port: int | None = None,
        rasa_processes: int | None = None,
        live_model: Path = LIVE_MODEL,
    ) -> None:
        settings = get_settings()
        self.settings = settings
        self.directory = directory.resolve()
        self.logs = self.directory / "log"
        self.public_port = public_port or settings.cluster_port
        self.rasa_count = rasa_processes or settings.cluster_rasa_processes
        self.live_model = live_model
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.last_start: dict[str, float] = {}
        self.stopping = False
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.model_port = free_port()
        self.actions_lb_port = free_port()
        public_url = f"http://127.0.0.1:{self.public_port}"
        admin = f"postgresql+psycopg2://postgres@127.0.0.1:{self.pg_port}"
        self.state = ClusterState(
            supervisor_pid=os.getpid(),
            public_url=public_url,
            tracker_db_url=f"{admin}/{TRACKER_DB}",
            database_url=f"{admin}/{PROJECT_DB}",
            lock_store_url=f"redis://127.0.0.1:{self.redis_port}/0",
            rasa=[
                ServerState(f"rasa-{index + 1}", free_port())
                for index in range(self.rasa_count)
            ],
            actions=[
                ServerState(f"actions-{index + 1}", free_port())
                for index in range(ACTION_SERVERS)
            ],
        )

    @property
    def state_file(self) -> Path:
        """Where the running cluster describes itself."""
        return self.directory / "state.json"

    def _env(self) -> dict[str, str]:
        """Environment shared by the Rasa and action servers."""
        origins = [f"http://127.0.0.1:{self.public_port}"]
        origins.append(f"http://localhost:{self.public_port}")
        configured = os.environ.get("ALLOWED_ORIGINS", "").strip()
        if configured:
            origins.append(configured)
        proxies = ["127.0.0.1"]
        configured_proxies = os.environ.get("TRUSTED_PROXIES", "").strip()
        if configured_proxies:
            proxies.append(configured_proxies)
        return {
            **os.environ,
            "ALLOWED_ORIGINS": ",".join(origins),
            "TRUSTED_PROXIES": ",".join(proxies),
            "TRACKER_DB_URL": self.state.tracker_db_url,
            "DATABASE_URL": self.state.database_url,
            "LOCK_STORE_URL": self.state.lock_store_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_lb_port}/webhook",
            "TICKET_LOCK_LIFETIME": str(
                _lock_lifetime_seconds(self.settings.action_timeout_seconds)
            ),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
            "PYTHONHASHSEED": "0",
        }

    def _log(self, name: str) -> Any:
        return (self.logs / f"{name}.log").open("ab")

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log(name),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_postgres(self) -> None:
        """Start PostgreSQL (initialised on first use); create both databases."""
        base = self.directory / "postgres"
        data, sockets = base / "data", base / "sockets"
        sockets.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # The server runs as ``postgres``: it must be able to reach its folder.
            self.directory.chmod(self.directory.stat().st_mode | 0o711)
            for path in (base, sockets):
                shutil.chown(path, "postgres", "postgres")
        if not (data / "PG_VERSION").exists():
            initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres"]
            initdb += ["--auth=trust", "--encoding=UTF8", "--locale=C"]
            subprocess.run(
                _as_postgres(initdb), check=True, capture_output=True, cwd=base
            )
        options = f"-h 127.0.0.1 -p {self.pg_port} -k {sockets}"
        log = base / "server.log"
        if os.geteuid() == 0 and not log.exists():
            log.touch()
            shutil.chown(log, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log)]
                + ["-o", options, "-w", "-t", "60", "start"]
            ),
            check=True,
            capture_output=True,
            cwd=base,
        )
        admin_url = self.state.tracker_db_url.rsplit("/", 1)[0] + "/postgres"
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
        try:
            with engine.connect() as connection:
                names = connection.execute(text("SELECT datname FROM pg_database"))
                existing = set(names.scalars())
                for name in (TRACKER_DB, PROJECT_DB):
                    if name not in existing:
                        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            engine.dispose()

    def stop_postgres(self) -> None:
        """Stop PostgreSQL when it runs."""
        data = self.directory / "postgres" / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres(
                    [str(PG_BIN / "pg_ctl"), "-D", str(data)]
                    + ["-m", "fast", "-w", "stop"]
                ),
                capture_output=True,
                check=False,
                cwd=data.parent,
            )

    def prepare_project_database(self, env: dict[str, str]) -> None:
        """Migrate and seed the studies and contacts database."""
        for command in (["db", "upgrade"], ["db", "seed"]):
            subprocess.run(
                [str(VENV_BIN / "python"), "-m", "bot", *command],
                cwd=PROJECT_ROOT,
                env=env,
                check=True,
                stdout=self._log("setup"),
                stderr=subprocess.STDOUT,
            )

    def write_endpoints(self) -> Path:
        """endpoints.yml of the project plus the lock store and the model server."""
        endpoints = self.directory / "endpoints.yml"
        base = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")
        endpoints.write_text(
            base
            + "\n# Added by ops/cluster.py for the cluster.\n"
            + "lock_store:\n"
            + "  type: components.lock_store.AtomicRedisLockStore\n"
            + f"  url: {self.state.lock_store_url}\n"
            + "models:\n"
            + f"  url: http://127.0.0.1:{self.model_port}/model.tar.gz\n"
            + "  wait_time_between_pulls: 10\n",
            encoding="utf-8",
        )
        return endpoints

    def write_nginx_conf(self) -> Path:
        """The nginx configuration for the current ports."""
        nginx_dir = self.directory / "nginx"
        nginx_dir.mkdir(parents=True, exist_ok=True)
        layout = NginxLayout(
            directory=nginx_dir,
            public_port=self.public_port,
            rasa_ports=[server.port for server in self.state.rasa],
            actions_port=self.actions_lb_port,
            action_ports=[server.port for server in self.state.actions],
            action_timeout_seconds=self.settings.action_timeout_seconds,
            max_message_chars=self.settings.max_message_chars,
        )
        conf = nginx_dir / "nginx.conf"
        conf.write_text(render_nginx_conf(layout), encoding="utf-8")
        return conf

    def _rasa_command(self, server: ServerState, endpoints: Path) -> list[str]:
        return [
            str(VENV_BIN / "rasa"),
            "run",
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(server.port),
        ]

    def _action_command(self, server: ServerState) -> list[str]:
        python = str(VENV_BIN / "python")
        return [python, "-m", "components.action_server", "--port", str(server.port)]

    def _start_rasa(self, server: ServerState, endpoints: Path) -> None:
        self.last_start[server.name] = time.monotonic()
        env = {**self._env(), "RASA_PORT": str(server.port)}
        self._spawn(server.name, self._rasa_command(server, endpoints), env)
        server.pid = self.processes[server.name].pid

    def _start_actions(self, server: ServerState) -> None:
        self.last_start[server.name] = time.monotonic()
        env = {**self._env(), "ACTION_PORT": str(server.port)}
        self._spawn(server.name, self._action_command(server), env)
        server.pid = self.processes[server.name].pid

    def _wait_rasa(self, server: ServerState) -> None:
        wait_until_up(
            f"http://127.0.0.1:{server.port}/",
            self.processes[server.name],
            START_SECONDS,
        )

    def up(self) -> ClusterState:
        """Start every part and wait until the public entry point answers."""
        if not self.live_model.exists():
            raise FileNotFoundError(
                f"{self.live_model} is missing: run `make publish` (make cluster does)"
            )
        self.logs.mkdir(parents=True, exist_ok=True)
        if not (0 < self.public_port < 65536):
            raise ValueError(f"CLUSTER_PORT {self.public_port} is not a port")
        if port_is_open(self.public_port):
            raise RuntimeError(
                f"Port {self.public_port} is in use: is a cluster already running? "
                "Stop it with `make cluster-stop` or set CLUSTER_PORT."
            )
        self.state.save(self.state_file)
        env = self._env()
        logger.info("Starting PostgreSQL on port %s.", self.pg_port)
        self.start_postgres()
        self.prepare_project_database(env)
        logger.info("Starting Redis on port %s.", self.redis_port)
        redis_dir = self.directory / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            "redis",
            [str(REDIS_SERVER), "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(redis_dir)],
            env,
        )
        wait_for_port(self.redis_port, self.processes["redis"], 30)
        self._spawn(
            "model-server",
            [str(VENV_BIN / "python"), "-m", "bot.model_server"]
            + ["--file", str(self.live_model), "--port", str(self.model_port)],
            env,
        )
        wait_for_port(self.model_port, self.processes["model-server"], 30)
        for server in self.state.actions:
            self._start_actions(server)
        logger.info("Starting nginx on port %s.", self.public_port)
        conf = self.write_nginx_conf()
        self._spawn("nginx", [str(NGINX), "-c", str(conf), "-p", str(conf.parent)], env)
        wait_for_port(self.public_port, self.processes["nginx"], 30)
        for server in self.state.actions:
            wait_until_up(
                f"http://127.0.0.1:{server.port}/health",
                self.processes[server.name],
                60,
            )
        endpoints = self.write_endpoints()
        first, *others = self.state.rasa
        logger.info("Starting %s Rasa server processes.", len(self.state.rasa))
        # The first one creates the tracker store's tables; the others start
        # after it, so two processes never create them at the same time.
        self._start_rasa(first, endpoints)
        self._wait_rasa(first)
        for server in others:
            self._start_rasa(server, endpoints)
        for server in others:
            self._wait_rasa(server)
        health = requests.get(
            f"{self.state.public_url}/webhooks/rest/health", timeout=10
        )
        health.raise_for_status()
        self.state.ready = True
        self.state.save(self.state_file)
        return self.state

    def supervise(self) -> None:
        """Start again a Rasa or action server that died, until asked to stop."""
        endpoints = self.directory / "endpoints.yml"
        while not self.stopping:
            for server in [*self.state.rasa, *self.state.actions]:
                process = self.processes.get(server.name)
                if process is None or process.poll() is None or self.stopping:
                    continue
                since = time.monotonic() - self.last_start.get(server.name, 0.0)
                if since < RESTART_PAUSE_SECONDS:
                    continue
                logger.warning(
                    "%s stopped (exit code %s); starting it again.",
                    server.name,
                    process.returncode,
                )
                if server in self.state.rasa:
                    self._start_rasa(server, endpoints)
                else:
                    self._start_actions(server)
                self.state.save(self.state_file)
            for name in ("nginx", "redis", "model-server"):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    logger.error("%s stopped (exit code %s).", name, process.returncode)
                    self.processes.pop(name)
            time.sleep(0.5)

    def down(self) -> None:
        """Stop every part that was started, the entry point first."""
        self.stopping = True
        order = ["nginx", *[server.name for server in self.state.rasa]]
        order += [server.name for server in self.state.actions]
        order += ["model-server", "redis"]
        for name in order:
            process = self.processes.pop(name, None)
            if process is not None:
                stop_process(process)
        self.stop_postgres()
        self.state_file.unlink(missing_ok=True)


def _print_state(state: ClusterState) -> None:
    lines = [
        f"Chat:    {state.public_url}/chat/",
        f"REST:    {state.public_url}/webhooks/rest/webhook",
        f"Health:  {state.public_url}/webhooks/rest/health",
        "Rasa:    "
        + ", ".join(f"{server.name} 127.0.0.1:{server.port}" for server in state.rasa),
        "Actions: " + ", ".join(f"{s.name} 127.0.0.1:{s.port}" for s in state.actions),
        f"Tracker store: {state.tracker_db_url}",
        f"Lock store:    {state.lock_store_url}",
    ]
    print("\n".join(lines), flush=True)  # noqa: T201


def command_up(directory: Path, port: int | None, processes: int | None) -> int:
    """Run the cluster in the foreground until Ctrl-C or SIGTERM."""
    running = running_cluster(directory)
    if running is not None:
        print("A cluster is already running:", flush=True)  # noqa: T201
        _print_state(running)
        return 1
    cluster = Cluster(directory, port, processes)

    def request_stop(signum: int, _frame: object) -> None:
        cluster.stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        state = cluster.up()
        print("The cluster is running. Stop it with Ctrl-C.", flush=True)  # noqa: T201
        _print_state(state)
        cluster.supervise()
    except Exception:
        logger.exception("The cluster could not start; see %s.", cluster.logs)
        return 1
    finally:
        cluster.down()
        print("The cluster has stopped.", flush=True)  # noqa: T201
    return 0


def command_down(directory: Path) -> int:
    """Stop the cluster that runs from ``directory``."""
    state = ClusterState.load(directory / "state.json")
    if state is None or not pid_alive(state.supervisor_pid):
        print("No cluster is running.")  # noqa: T201
        return 0
    os.kill(state.supervisor_pid, signal.SIGTERM)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and pid_alive(state.supervisor_pid):
        time.sleep(0.5)
    print("The cluster has stopped.")  # noqa: T201
    return 0


def command_status(directory: Path) -> int:
    """Print where a running cluster listens; exit 1 when none runs."""
    state = running_cluster(directory)
    if state is None:
        print("No cluster is running (or it does not answer).")  # noqa: T201
        return 1
    _print_state(state)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m ops.cluster up|down|status``."""
    parser = argparse.ArgumentParser(prog="python -m ops.cluster", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--port", type=int, default=None, help="public port")
    parser.add_argument("--rasa-processes", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.command == "up":
        return command_up(args.dir, args.port, args.rasa_processes)
    if args.command == "down":
        return command_down(args.dir)
    return command_status(args.dir)


if __name__ == "__main__":
    sys.exit(main())
