"""ERP bulk stock update throughput (500-SKU batches) and what it does to catalog p95."""

from __future__ import annotations

import json

from bench import config, load
from bench.entries.catalog import page_available
from bench.report import Row, interleave, median, not_available, paired_row

NAME = "erp"
BATCH = 500
ERP_CONNECTIONS = 2


def stock_load(ctx, *, background: bool = False, seconds: float | None = None):
    return load.wrk(
        ctx.base,
        script="erp_stock.lua",
        connections=ERP_CONNECTIONS,
        threads=ERP_CONNECTIONS,
        seconds=seconds or config.ROUND_SECONDS,
        tokens=[ctx.erp_token],
        env={"BENCH_BATCH": str(BATCH)},
        background=background,
    )


def available(ctx) -> tuple[bool, str]:
    from bench.scenarios import route_exists

    if not route_exists(config.API["erp_stock"]):
        return False, f"not available ({config.API['erp_stock']} has no route)"
    body = json.dumps({"items": [{"sku": "B000001", "on_hand": 1_000_000}]}).encode()
    code = ctx.status(config.API["erp_stock"], method="POST", body=body, token=ctx.erp_token, cookie=False)
    if code != 200:
        return False, f"not available (POST stock → {code})"
    return True, ""


def run(ctx) -> list[Row]:
    t_rate = ("figure", ">=", 10_000)
    t_p95 = ("ratio", "<=", 1.25)
    ok, why = available(ctx)
    if not ok:
        return [
            not_available(NAME, f"bulk stock update ({BATCH}-SKU batches)", why, t_rate),
            not_available(NAME, "catalog p95 under ERP stock load", why, t_p95),
        ]
    results = [stock_load(ctx) for _ in range(config.PAIRS)]
    rates = [r.rate("items") for r in results]
    bad = sum(r.bad for r in results)
    rows = [
        Row(
            NAME,
            f"bulk stock update ({BATCH}-SKU batches, {ERP_CONNECTIONS} connections)",
            figure=median(rates),
            unit="SKUs/s",
            target=t_rate,
            samples=rates,
            note=(
                f"{bad} failed requests" if bad else f"p95 {median([r.p95_ms for r in results]):.0f} ms/batch"
            ),
        )
    ]
    # Catalog p95 alone vs with the ERP load running beside it.
    paths = ctx.catalog_paths()
    ok_page, _ = page_available(ctx, paths)
    label = "catalog list page"
    if not ok_page:
        paths, label = [f"{config.API['products']}?category=C01-1"], "catalog API"
        if ctx.status(paths[0]) != 200:
            rows.append(
                not_available(NAME, "catalog p95 under ERP stock load", "no catalog page or API yet", t_p95)
            )
            return rows

    def alone():
        return ctx.get_load(paths).p95_ms

    def loaded():
        erp = stock_load(ctx, background=True, seconds=config.ROUND_SECONDS + 1)
        ctx.pause(0.5)
        p95 = ctx.get_load(paths).p95_ms
        load.finish(erp)
        return p95

    pairs = interleave(alone, loaded, pairs=config.PAIRS)
    rows.append(
        paired_row(
            NAME,
            f"{label} p95 under ERP stock load",
            pairs,
            unit="ms",
            baseline_name="no ERP load",
            target=t_p95,
        )
    )
    return rows
