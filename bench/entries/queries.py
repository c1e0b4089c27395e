"""SQL statements per request, in-process (django.test.Client) inside a rolled-back transaction."""

from __future__ import annotations

from django.db import transaction
from django.test import Client

from bench import scenarios
from bench.report import FAIL, Row, not_available

NAME = "queries"


class _Rollback(Exception):
    pass


def _measure(builder, keyword, size) -> tuple[int | None, int, str]:
    """(statement count or None when not available, status code, path)."""
    out: list = [None, 0, ""]
    try:
        with transaction.atomic():
            world = scenarios.build_world()
            client = Client()
            kwargs = {keyword: size} if keyword else {}
            path, act = builder(world, client, **kwargs)
            out[2] = path
            if scenarios.route_exists(path):
                response, count = scenarios.count_queries(act)
                out[0], out[1] = count, response.status_code
            raise _Rollback
    except _Rollback:
        pass
    return out[0], out[1], out[2]


def run(ctx) -> list[Row]:
    rows = []
    for name, (builder, keyword, small, large, bound) in scenarios.QUERY_CASES.items():
        target = ("figure", "<=", bound) if bound else None
        sizes = [small, large] if keyword else [0]
        counts = {}
        for size in sizes:
            count, status, path = _measure(builder, keyword, size)
            label = f"{name} ({size} {keyword})" if keyword else name
            if count is None or status in (404, 405, 501):
                rows.append(
                    not_available(NAME, label, f"not available ({path} → {status or 'no route'})", target)
                )
                continue
            note = "" if 200 <= status < 300 else f"answered {status}"
            counts[size] = count
            rows.append(
                Row(
                    NAME,
                    label,
                    figure=count,
                    unit="stmts",
                    target=target,
                    note=note,
                    status=FAIL if note else "info",
                )
            )
        if len(counts) == 2:
            grows = counts[large] > counts[small]
            rows.append(
                Row(
                    NAME,
                    f"{name}: {large} vs {small} {keyword}",
                    figure=counts[large],
                    unit="stmts",
                    baseline=counts[small],
                    baseline_unit="stmts",
                    baseline_name=f"at {small}",
                    target=("ratio", "<=", 1.0),
                    note="grows with items" if grows else "constant",
                )
            )
    return rows
