"""Real processes for the fault and worker tests: Celery workers on the test database, and waiting.

Shared by the ERP push worker tests, the e-mail worker tests and the fault suite, so each starts
workers, points them at the test database and stops them the same way.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[1]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def worker_database_url() -> str:
    """The test database as a DATABASE_URL for a child process (pytest-django renamed it)."""
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class CeleryWorkers:
    """Start `celery worker --pool=solo` processes with ``env`` on the test database; stop them all."""

    def __init__(self, log_dir: Path, *, name: str, env: dict[str, str]) -> None:
        from b2bshop.celery import app

        app.control.purge()  # messages left by in-process tests (their outbox ids no longer exist)
        self.log_dir, self.name, self.env = log_dir, name, env
        self.processes: list[subprocess.Popen] = []

    def start(self, **extra_env: str) -> subprocess.Popen:
        log = self.log_dir / f"worker{len(self.processes)}.log"
        env = {
            **self.env,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": worker_database_url(),
            **extra_env,
        }
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "b2bshop", "worker", "--pool=solo", "-Q", "celery",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
             "-n", f"{self.name}-{len(self.processes)}@%h"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        wait_for(
            lambda: "ready." in log.read_text() or process.poll() is not None, timeout=20, what="worker start"
        )
        assert process.poll() is None, log.read_text()
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
