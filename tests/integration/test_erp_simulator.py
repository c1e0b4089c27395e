"""The ERP simulator command: signature check, idempotency, scripted failures, slowness."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from orders.erp_client import sign

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sim-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def simulator(tmp_path):
    started = []

    def start(*args: str) -> str:
        port = _free_port()
        record = tmp_path / "received.jsonl"
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "erp_simulator",
                "--port",
                str(port),
                "--secret",
                SECRET,
                "--record",
                str(record),
                *args,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_SETTINGS_MODULE": "b2bshop.settings",
                "DATABASE_URL": "sqlite:///:memory:",
            },
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        # Django start-up can take several seconds on a loaded 2-core machine: wait up to 30 s,
        # and stop early with the simulator's own output if it exited.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"ERP simulator exited: {process.stdout.read() if process.stdout else ''}")
                time.sleep(0.05)
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


def _post(url: str, number: str, *, secret: str = SECRET, key: str | None = None) -> requests.Response:
    body = json.dumps({"number": number, "customer": "C1", "total": "1100"}).encode()
    return requests.post(
        f"{url}/orders",
        data=body,
        timeout=5,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": number if key is None else key,
            "X-B2BShop-Signature": sign(body=body, secret=secret),
        },
    )


def test_simulator_checks_signatures_and_deduplicates(simulator):
    url = simulator()
    assert _post(url, "B1", secret="wrong").status_code == 401
    assert _post(url, "B1").status_code == 201
    assert _post(url, "B1").status_code == 409
    assert _post(url, "B2", key="").status_code == 400
    summary = requests.get(f"{url}/orders", timeout=5).json()
    assert summary["received"] == 1 and summary["duplicates"] == 1 and summary["rejected_signatures"] == 1


def test_simulator_fails_n_times_then_accepts_and_can_be_slow(simulator):
    url = simulator("--fail", "2", "--delay", "0.2")
    started = time.monotonic()
    assert [_post(url, "B9").status_code for _ in range(3)] == [503, 503, 201]
    assert time.monotonic() - started >= 0.6


def test_simulator_refuses_bad_options():
    result = subprocess.run(
        [sys.executable, "manage.py", "erp_simulator", "--fail", "-1", "--secret", "x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///:memory:"},
    )
    assert result.returncode != 0 and "must not be negative" in result.stderr
