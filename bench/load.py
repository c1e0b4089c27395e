"""Load generators, each in a second process: wrk (HTTP) and pgbench (TPC-B)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import config


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def rate(self, key: str) -> float:
        return self.counts.get(key, 0) / self.duration_s if self.duration_s else 0.0

    @property
    def ok_rps(self) -> float:
        return self.rate("s2xx")

    @property
    def bad(self) -> int:
        """Responses a user would see as a failure (non-2xx/3xx) plus socket errors and timeouts."""
        return self.counts.get("s4xx", 0) + self.counts.get("s5xx", 0) + self.errors


def parse_wrk(stdout: str) -> WrkResult:
    line = next((ln for ln in stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{stdout[-2000:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    counts = {
        k: int(data[k])
        for k in ("s2xx", "s3xx", "s4xx", "s5xx", "checkouts", "c409", "c422", "c5xx", "items")
    }
    errors = sum(int(data[k]) for k in ("err_connect", "err_read", "err_write", "err_timeout"))
    return WrkResult(
        requests=int(data["requests"]),
        duration_s=float(data["duration_s"]),
        p50_ms=float(data["p50_ms"]),
        p95_ms=float(data["p95_ms"]),
        p99_ms=float(data["p99_ms"]),
        counts=counts,
        errors=errors,
    )


def wrk(
    url: str,
    *,
    script: str = "get.lua",
    connections: int = config.CONCURRENCY,
    threads: int | None = None,
    seconds: float = config.ROUND_SECONDS,
    paths: list[str] | None = None,
    cookies: list[str] | None = None,
    tokens: list[str] | None = None,
    env: dict[str, str] | None = None,
    background: bool = False,
) -> WrkResult | subprocess.Popen:
    """Run wrk against `url` (host + default path) and return its summary (or the Popen when background)."""
    if not Path(config.WRK).exists():
        raise RuntimeError(f"{config.WRK} not found: apt-get install wrk (Debian package)")
    threads = threads or min(connections, 2)
    run_env = dict(os.environ)
    run_env.update(
        BENCH_LUA_DIR=str(config.LUA_DIR),
        BENCH_COOKIES=",".join(cookies or []),
        BENCH_TOKENS=",".join(tokens or []),
        BENCH_THREADS=str(threads),
        BENCH_PRODUCTS=str(config.PRODUCTS),
    )
    if paths:
        handle = tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False)  # noqa: SIM115
        handle.write("\n".join(paths) + "\n")
        handle.close()
        run_env["BENCH_PATHS_FILE"] = handle.name
    run_env.update(env or {})
    argv = [
        config.WRK,
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(config.LUA_DIR / script),
        url,
    ]
    if background:
        return subprocess.Popen(
            argv, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    done = subprocess.run(
        argv, env=run_env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    return parse_wrk(done.stdout + done.stderr)


def finish(popen: subprocess.Popen) -> WrkResult:
    out, _ = popen.communicate(timeout=120)
    return parse_wrk(out)


def pgbench_tps(*, seconds: float = config.ROUND_SECONDS, clients: int = 8, jobs: int = 2) -> float:
    """TPC-B-like TPS on this machine's PostgreSQL (`pgbench -c 8 -j 2`, scale 10)."""
    done = subprocess.run(
        [
            "pgbench",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-c",
            str(clients),
            "-j",
            str(jobs),
            "-T",
            str(max(1, round(seconds))),
            "-n",
            config.PGBENCH_DB,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if not match:
        raise RuntimeError(f"pgbench failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    return float(match.group(1))


def pgbench_init(scale: int = 10) -> None:
    """Create and fill the pgbench database once (a marker: pgbench_branches has `scale` rows)."""
    check = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            "SELECT count(*) FROM pgbench_branches",
            config.PGBENCH_DB,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode == 0 and check.stdout.strip() == str(scale):
        return
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", config.PGBENCH_DB], capture_output=True, check=False
    )
    subprocess.run(
        ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-i", "-q", "-s", str(scale), config.PGBENCH_DB],
        capture_output=True,
        check=True,
    )
