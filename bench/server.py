"""Start and stop what the bench needs on loopback: gunicorn, a Celery worker, the ERP simulator.

Every process is started in its own session and stopped by its process-group id in `close()`,
which `Stack` calls on exit even when an entry fails. CPU time is read from /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import config

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(*, erp_port: int | None = None) -> dict[str, str]:
    """Production settings (DEBUG off, persistent connections) plus what loopback benchmarking needs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="b2bshop.settings",
        DATABASE_URL=config.DATABASE_URL,
        REDIS_URL=config.REDIS_URL,
        SECRET_KEY=config.SECRET_KEY,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        CONN_MAX_AGE="600",
        BENCH_URLS="1",
        API_RATE_ERP="off",  # the bench measures the shop, not its rate limits
        API_RATE_STORE="off",
        API_RATE_ANON="off",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
        ERP_SIGNING_SECRET=config.ERP_SIGNING_SECRET,
        ERP_TIMEOUT_SECONDS="5",
        PYTHONUNBUFFERED="1",
    )
    if erp_port:
        env["ERP_ORDERS_URL"] = f"http://127.0.0.1:{erp_port}/orders"
    return env


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (gunicorn workers, Celery pool processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU seconds of the processes (and of their children already reaped)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / CLK_TCK


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def tree(self) -> list[int]:
        return process_tree(self.popen.pid)


@dataclass
class Stack:
    """The running services of one bench run."""

    log_dir: Path
    procs: dict[str, Proc] = field(default_factory=dict)
    base_url: str = ""
    erp_port: int | None = None

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Proc:
        log = self.log_dir / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            argv, cwd=config.ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc = Proc(name, popen, log)
        self.procs[name] = proc
        return proc

    def start_all(self, *, erp_simulator: bool) -> None:
        if erp_simulator:
            self.erp_port = free_port()
            self.start(
                "erp_simulator",
                [str(config.VENV_BIN / "python"), "manage.py", "erp_simulator", "--port", str(self.erp_port)],
                server_env(),
            )
        env = server_env(erp_port=self.erp_port)
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.start(
            "gunicorn",
            [
                str(config.VENV_BIN / "gunicorn"),
                "b2bshop.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(config.GUNICORN_WORKERS),
                "--worker-class",
                "sync",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env,
        )
        self.start(
            "celery",
            [
                str(config.VENV_BIN / "celery"),
                "-A",
                "b2bshop",
                "worker",
                "--include",
                "bench.tasks",
                "--concurrency",
                str(config.CELERY_CONCURRENCY),
                "--pool",
                "prefork",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
        )
        self.wait_http(self.base_url + "/healthz", "gunicorn")
        if erp_simulator:
            self.wait_port(self.erp_port, "erp_simulator")

    def wait_http(self, url: str, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive(name)
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer {url} within {timeout}s; see {self.procs[name].log}")

    def wait_port(self, port: int, name: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive(name)
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not listen on {port} within {timeout}s; see {self.procs[name].log}")

    def check_alive(self, name: str) -> None:
        proc = self.procs[name]
        if proc.popen.poll() is not None:
            tail = proc.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{name} exited with {proc.popen.returncode}:\n{tail}")

    def cpu(self, *names: str) -> float:
        return sum(cpu_seconds(self.procs[n].tree()) for n in names if n in self.procs)

    def pids(self, *names: str) -> list[int]:
        return [pid for n in names if n in self.procs for pid in self.procs[n].tree()]

    def close(self) -> None:
        """Stop every process this stack started: TERM its process group, then KILL after 10 s."""
        for proc in self.procs.values():
            if proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            if proc.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
