"""A production-like stack on this machine for load, crash and scale-out runs.

A private PostgreSQL cluster (own data directory and port, so restarting it disturbs nothing
else), gunicorn web processes, a django-tasks worker, and a seeded joint response with voters.
Everything listens on 127.0.0.1 only and is torn down by `Stack.close()`.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def wait_healthy(port: int, timeout: float = 60.0) -> None:
    """Workers import the app after the master binds the port: wait until they answer."""
    import http.client

    deadline = time.monotonic() + timeout
    ok = 0
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                ok += 1
                if ok >= 4:  # likely more than one worker has booted
                    return
            conn.close()
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"127.0.0.1:{port} is not healthy after {timeout} s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found[-1]


class PrivatePostgres:
    """initdb + pg_ctl as the postgres user, in a temporary directory, on a free port."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="convene-pg-"))
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_pg([_pg_bin("initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "--no-sync"])
        conf = self.dir / "data" / "postgresql.conf"
        with conf.open("a") as f:
            f.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                "fsync = on\nsynchronous_commit = on\nmax_connections = 200\n"
            )
        self.start()

    def _as_pg(self, cmd: list[str]) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._as_pg([_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "start"])
        wait_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        self._as_pg([_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w", "stop"])

    def restart(self) -> None:
        self.stop("immediate")  # like a crash: no checkpoint, recovery replays the WAL
        self.start()

    def url(self, db: str = "convene") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def create_db(self, db: str = "convene") -> str:
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", db],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return self.url(db)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # best effort at teardown
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CONVENE_ENV": "production",
        "SECRET_KEY": "load-test-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "ERROR",
        # Each synthetic voter votes ~30 times a second, far above what a person does: the limit is
        # set above that, so it is counted (and costed) but never reached.
        "CONVENE_API_WRITES_PER_MINUTE": "1000000",
        "DJANGO_SETTINGS_MODULE": "convene.settings",
        **extra,
    }


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [PYTHON, "-m", "convene", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"convene {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# Threads per gunicorn worker (gthread), as docs/deploy.md advises: a request mostly waits on
# PostgreSQL and Redis, so a few threads keep a process's core busy; more only contend for the
# interpreter lock (measured: 4 served more votes than 8 or 2, bench/RESULTS.md "load").
THREADS = 4
# The task worker's CPU priority, as deploy/convene-worker.service sets it: web requests first.
WORKER_NICE = 10


class Web:
    """gunicorn with `workers` processes; `kill()` is SIGKILL to the master and every worker."""

    def __init__(
        self,
        env: dict,
        port: int | None = None,
        workers: int = 2,
        threads: int = THREADS,
        app: str = "convene.wsgi:application",
    ):
        self.env = env
        self.port, self.workers, self.threads = port or free_port(), workers, threads
        self.app = app
        self.proc: subprocess.Popen | None = None
        # A file, not a pipe: an undrained pipe fills up with logged tracebacks (e.g. while the
        # database restarts) and every thread then blocks on the logging lock.
        self.log = tempfile.TemporaryFile(prefix="convene-web-")  # noqa: SIM115 - lives as long as the process
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--pythonpath",
                str(ROOT / "bench"),
                self.app,
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "1",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_port(self.port)
        wait_healthy(self.port)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        self.log.close()


class Worker:
    """One task worker: `convene worker` (django-tasks-db's db_worker, reconnecting after a
    database restart), as deploy/convene-worker.service runs it."""

    def __init__(self, env: dict, command: str = "worker"):
        self.env = env
        self.command = command
        self.log = tempfile.TemporaryFile(prefix="convene-worker-")  # noqa: SIM115 - lives as long as the process
        self.restarts = 0
        self.start()

    def start(self) -> None:
        since = os.fstat(self.log.fileno()).st_size  # (a restart appends to the same log)
        self.proc = subprocess.Popen(
            # as production runs it: at a lower CPU priority (`Nice=10`) and the default polling
            # interval; only the wait after a database restart is shorter
            ["nice", "-n", str(WORKER_NICE), PYTHON, "-m", "convene", self.command, "--max-backoff", "2"],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self.wait_ready(since)

    def wait_ready(self, since: int, timeout: float = 60.0) -> None:
        """Until the worker polls for tasks: its start (Django's setup and system checks, a few
        seconds of CPU) is not part of the load a steady run measures."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            # pread: the child writes through the same file offset, which a seek would move
            if b"Starting worker" in os.pread(self.log.fileno(), 1 << 20, since):
                return
            time.sleep(0.05)
        raise TimeoutError(f"the task worker did not start within {timeout} s")

    def ensure_running(self) -> None:
        if self.proc.poll() is not None:
            self.restarts += 1
            self.start()

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def seed(env: dict, *, voters: int, statements: int) -> dict:
    """Migrate and create one gathering joint response with `voters` members holding API tokens."""
    manage(env, "migrate", "--no-input", "-v", "0")
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "_seed_votes.py"), str(voters), str(statements)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def tree_cpu_seconds(root_pids: list[int]) -> float:
    """User + system CPU seconds of these processes and all their descendants (from /proc),
    including descendants that have exited and been reaped within the tree (their parents'
    cutime and cstime): PostgreSQL ends a backend whenever Django recycles a connection
    (`DB_CONN_MAX_AGE`), and its CPU must not vanish from the total mid-run."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                stats[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    wanted, frontier = set(), set(root_pids)
    while frontier:
        wanted |= frontier
        frontier = {pid for pid, (ppid, _) in stats.items() if ppid in frontier} - wanted
    return sum(stats[pid][1] for pid in wanted if pid in stats)


def postmaster_pid(pg: PrivatePostgres) -> int:
    with open(pg.dir / "data" / "postmaster.pid") as f:
        return int(f.readline())
