"""New PostgreSQL connections opened during a 20 s mixed load (persistent connections must hold)."""

from __future__ import annotations

from bench import config, load
from bench.entries import checkout, common
from bench.entries.catalog import page_available
from bench.report import Row

NAME = "connections"
SECONDS = 20


def run(ctx) -> list[Row]:
    paths = ctx.catalog_paths()
    ok, _ = page_available(ctx, paths)
    if not ok:
        paths = ctx.rows50_paths()
    bg = []
    ok_checkout, _ = checkout.available(ctx)
    before = common.pg_stat_fresh("sessions")
    if ok_checkout:
        bg.append(checkout.checkout_load(ctx, checkout.uniform_sets(4), seconds=SECONDS, background=True))
    bg.append(ctx.get_load(paths, connections=4, seconds=SECONDS, background=True))
    results = [load.finish(p) for p in bg]
    common.wait_queue_idle(30)
    opened = common.pg_stat_fresh("sessions") - before
    celery_procs = len(ctx.stack.pids("celery"))
    bound = config.GUNICORN_WORKERS + celery_procs
    what = ("checkout (4 buyers) + " if ok_checkout else "") + ("catalog pages" if ok else "50-row pages")
    return [
        Row(
            NAME,
            f"new DB connections during {SECONDS} s of {what}",
            figure=opened,
            unit="conns",
            target=("figure", "<=", bound),
            note=f"bound = {config.GUNICORN_WORKERS} gunicorn workers + {celery_procs} Celery processes; "
            f"{sum(r.requests for r in results):,} requests",
        )
    ]
