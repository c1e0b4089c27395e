"""The floors every ratio is taken against, printed once for the record (the ratios re-measure them
interleaved with their targets)."""

from __future__ import annotations

from bench import config, load
from bench.entries import common
from bench.report import Row

NAME = "baselines"


def run(ctx) -> list[Row]:
    rows = []
    hello = ctx.get_load(["/bench/hello"])
    rows.append(Row(NAME, "hello JSON", figure=hello.ok_rps, unit="req/s", note=f"p95 {hello.p95_ms:.1f} ms"))
    select = ctx.get_load(ctx.select_paths())
    rows.append(
        Row(
            NAME, "one indexed SELECT", figure=select.ok_rps, unit="req/s", note=f"p95 {select.p95_ms:.1f} ms"
        )
    )
    rows50 = ctx.get_load(ctx.rows50_paths())
    rows.append(
        Row(
            NAME,
            "50-row template (logged in)",
            figure=rows50.ok_rps,
            unit="req/s",
            note=f"p95 {rows50.p95_ms:.1f} ms",
        )
    )
    insert = load.wrk(ctx.base + "/bench/insert", script="post.lua")
    rows.append(
        Row(NAME, "single INSERT", figure=insert.ok_rps, unit="req/s", note=f"p95 {insert.p95_ms:.1f} ms")
    )
    tps = load.pgbench_tps()
    rows.append(Row(NAME, "pgbench TPC-B (-c 8 -j 2, scale 10)", figure=tps, unit="TPS"))
    rate = common.noop_drain_rate(ctx)
    rows.append(Row(NAME, f"Celery no-op drain ({common.NOOP_TASKS} tasks)", figure=rate, unit="tasks/s"))
    rows.append(
        Row(
            NAME,
            "gunicorn workers / Celery concurrency",
            figure=config.GUNICORN_WORKERS,
            unit="workers",
            note=f"celery --concurrency {config.CELERY_CONCURRENCY}",
        )
    )
    return rows
