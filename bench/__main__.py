"""`python -m bench [--only NAME[,NAME]]`: the benchmark harness (see docs/performance.md).

Prepares the bench database (migrate, cached data set, pgbench database), starts gunicorn, a
Celery worker and the ERP simulator on loopback, runs the entries, prints the table and writes
bench/results/latest.{json,md}. Everything it started is stopped at the end, also on failure.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import config  # noqa: E402
from bench.server import Stack, server_env  # noqa: E402


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ensure_database() -> None:
    name = config.DATABASE_URL.rsplit("/", 1)[1]
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",  # noqa: S608 - our config
            "postgres",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def prepare(log) -> None:
    import django
    from django.core.management import call_command

    os.environ.update(server_env())
    ensure_database()
    django.setup()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    subprocess.run(
        [str(config.VENV_BIN / "python"), "tools/compile_messages.py"],
        cwd=config.ROOT,
        check=False,
        capture_output=True,
    )
    log(f"migrated, static collected in {time.perf_counter() - t0:.1f}s")
    from bench import dataset

    t0 = time.perf_counter()
    if dataset.ensure(log=log):
        log(f"data set generated in {time.perf_counter() - t0:.0f}s")


def logins() -> tuple[list[str], list[str], str]:
    """Session cookies and API tokens for bench buyers 1..BENCH_BUYERS, and an ERP integration token."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from customers.models import User
    from customers.services import issue_api_token

    cookies, tokens = [], []
    for user in User.objects.filter(pk__lte=config.BENCH_BUYERS, customer__isnull=False).order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "customers.auth.EmailBackend"  # axes (first) has no get_user
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"sessionid={session.session_key}")
        tokens.append(issue_api_token(user=user, name="bench").raw)
    erp, _ = User.objects.get_or_create(
        email="bench-erp@integration.invalid", defaults={"is_integration": True}
    )
    return cookies, tokens, issue_api_token(user=erp, name="bench").raw


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(ln.split()[1]) // 1024
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        ),
        0,
    )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return (
        f"{config.CORES} × {cpu}, {mem:,} MiB RAM, PostgreSQL {pg}, Python {platform.python_version()}, "
        f"gunicorn {config.GUNICORN_WORKERS} sync workers, Celery prefork {config.CELERY_CONCURRENCY}"
    )


def git_commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=config.ROOT, capture_output=True, text=True, check=False
    )
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help="comma-separated entry names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the entries and exit")
    args = parser.parse_args(argv)

    from bench.entries import ENTRIES, NEEDS_SERVER

    if args.list:
        print("\n".join(ENTRIES))
        return 0
    names = list(ENTRIES) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENTRIES]
    if unknown:
        print(f"unknown entry: {', '.join(unknown)}; choose from {', '.join(ENTRIES)}", file=sys.stderr)
        return 2
    started = datetime.now().astimezone()
    t_start = time.perf_counter()
    log(f"bench: {', '.join(names)} on {config.DATABASE_URL.rsplit('/', 1)[1]}")
    prepare(log)

    from bench import load, report
    from bench.context import Context

    if {"baselines", "checkout"} & set(names):
        load.pgbench_init()
    cookies, tokens, erp_token = logins()
    rows: list[report.Row] = []
    log_dir = Path(tempfile.mkdtemp(prefix="b2bshop-bench-"))
    from django.core.management import get_commands

    with Stack(log_dir=log_dir) as stack:
        if NEEDS_SERVER & set(names):
            stack.start_all(erp_simulator="erp_simulator" in get_commands())
            log(
                f"gunicorn on {stack.base_url}, Celery worker"
                + (
                    f", ERP simulator on :{stack.erp_port}"
                    if stack.erp_port
                    else ", no ERP simulator command"
                )
                + f" (logs in {log_dir})"
            )
        ctx = Context(stack=stack, cookies=cookies, buyer_tokens=tokens, erp_token=erp_token, log=log)
        for name in names:
            t0 = time.perf_counter()
            log(f"entry {name} …")
            try:
                got = ENTRIES[name](ctx)
            except Exception as exc:  # noqa: BLE001 - one broken entry must not hide the others
                traceback.print_exc()
                got = [
                    report.Row(
                        name, "entry crashed", status=report.FAIL, note=f"{type(exc).__name__}: {exc}"[:300]
                    )
                ]
            rows += got
            log(f"entry {name} done in {time.perf_counter() - t0:.0f}s")
            print(report.text_table(got), flush=True)
    elapsed = time.perf_counter() - t_start
    meta = {
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": round(elapsed),
        "commit": git_commit(),
        "machine": machine(),
        "entries": names,
        "round_seconds": config.ROUND_SECONDS,
        "pairs": config.PAIRS,
        "footer": (
            f"Ratios are medians of {config.PAIRS} interleaved (baseline, target) pairs of "
            f"{config.ROUND_SECONDS:g} s each; whole run {elapsed / 60:.1f} min, commit {git_commit()}."
        ),
    }
    json_path, md_path = report.write(rows, directory=config.RESULTS_DIR, meta=meta)
    print()
    print(f"b2bshop bench — {meta['started_at']} — {meta['machine']}")
    print(report.text_table(rows))
    counts = report.summary(rows)
    print(
        f"\n{counts['pass']} pass, {counts['FAIL']} fail, {counts['n/a']} n/a, {counts['info']} info; "
        f"{elapsed / 60:.1f} min. Written: {md_path.relative_to(config.ROOT)}, {json_path.relative_to(config.ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
