"""Catalog list and product page vs the 50-row template baseline; 4x overload."""

from __future__ import annotations

from bench import config
from bench.report import Row, interleave, not_available, paired_row

NAME = "catalog"


def page_available(ctx, paths: list[str]) -> tuple[bool, str]:
    from bench.scenarios import route_exists

    if not route_exists(paths[0]):
        return False, f"not available ({paths[0]} has no route)"
    code = ctx.status(paths[0])
    if code != 200:
        return False, f"not available ({paths[0]} → {code})"
    return True, ""


def _compare(ctx, metric: str, paths: list[str], rps_target: float, p95_target: float) -> list[Row]:
    runs: list[tuple] = []

    def base():
        r = ctx.get_load(ctx.rows50_paths())
        runs.append(("b", r))
        return r.ok_rps

    def target():
        r = ctx.get_load(paths)
        runs.append(("t", r))
        return r.ok_rps

    pairs = interleave(base, target, pairs=config.PAIRS)
    b_runs = [r for k, r in runs if k == "b"]
    t_runs = [r for k, r in runs if k == "t"]
    p95_pairs = [(b.p95_ms, t.p95_ms) for b, t in zip(b_runs, t_runs, strict=True)]
    bad = sum(r.bad for r in t_runs)
    note = f"{bad} non-2xx/errors" if bad else ""
    return [
        paired_row(
            NAME,
            f"{metric} throughput",
            pairs,
            unit="req/s",
            baseline_name="50-row template",
            target=("ratio", ">=", rps_target),
            note=note,
        ),
        paired_row(
            NAME,
            f"{metric} p95",
            p95_pairs,
            unit="ms",
            baseline_name="50-row template",
            target=("ratio", "<=", p95_target),
        ),
    ]


def run(ctx) -> list[Row]:
    rows: list[Row] = []
    lists, products = ctx.catalog_paths(), ctx.product_paths()
    ok, why = page_available(ctx, lists)
    if ok:
        rows += _compare(ctx, "catalog list page", lists, 0.5, 2.0)
    else:
        rows += [
            not_available(NAME, "catalog list page throughput", why, ("ratio", ">=", 0.5)),
            not_available(NAME, "catalog list page p95", why, ("ratio", "<=", 2.0)),
        ]
    ok_p, why_p = page_available(ctx, products)
    if ok_p:
        rows += _compare(ctx, "product page", products, 1.0, 1.5)
    else:
        rows += [
            not_available(NAME, "product page throughput", why_p, ("ratio", ">=", 1.0)),
            not_available(NAME, "product page p95", why_p, ("ratio", "<=", 1.5)),
        ]
    if not ok:
        rows += [
            not_available(NAME, "catalog list at 4x overload (c=32 vs 8)", why, ("ratio", ">=", 0.9)),
            not_available(NAME, "errors at 4x overload", why, ("figure", "==", 0)),
        ]
        return rows
    overload_runs = []

    def normal():
        return ctx.get_load(lists, connections=config.CONCURRENCY).ok_rps

    def overload():
        r = ctx.get_load(lists, connections=4 * config.CONCURRENCY)
        overload_runs.append(r)
        return r.ok_rps

    pairs = interleave(normal, overload, pairs=config.PAIRS)
    rows.append(
        paired_row(
            NAME,
            "catalog list at 4x overload (c=32 vs 8)",
            pairs,
            unit="req/s",
            baseline_name="c=8",
            target=("ratio", ">=", 0.9),
        )
    )
    rows.append(
        Row(
            NAME,
            "errors at 4x overload",
            figure=sum(r.bad for r in overload_runs),
            unit="",
            target=("figure", "==", 0),
            note=f"p95 {max(r.p95_ms for r in overload_runs):.0f} ms at c=32",
        )
    )
    return rows
