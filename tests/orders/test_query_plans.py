"""Prepared order-path statements keep using their indexes when PostgreSQL plans them generically.

``b2bshop.hot_sql`` prepares its statements once per session; after five runs PostgreSQL may switch
to a generic plan, made without the parameter values. A partial index is only usable then when the
WHERE clause itself implies the index's predicate, so a lookup that is one index probe with a custom
plan can become a scan over every order of the company: the checkout got slower as the company's
history grew. These tests ask PostgreSQL for the generic plan of the statement the code really sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from b2bshop.hot_sql import insert_rows
from orders.models import Order
from orders.services.checkout import _order_with_key
from tests.factories import make_buyer, make_customer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="generic plans are PostgreSQL's"),
]


def _statement_of(call: Callable[[], Any]) -> tuple[str, list[Any]]:
    """The one SQL statement and parameters ``call`` sends (unprepared, so the text is visible)."""
    seen: list[tuple[str, list[Any]]] = []

    def capture(execute, sql, params, many, context):  # noqa: ANN001, ANN202  # Django's wrapper signature
        seen.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with override_settings(HOT_SQL_PREPARE=False), connection.execute_wrapper(capture):
        call()
    assert len(seen) == 1, seen
    return seen[0]


def _generic_plan(sql: str, params: list[Any]) -> dict[str, Any]:
    pieces = sql.split("%s")
    numbered = pieces[0] + "".join(f"${i}{piece}" for i, piece in enumerate(pieces[1:], start=1))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE plan_probe AS {numbered}")
        try:
            marks = ", ".join(["%s"] * len(params))
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE plan_probe({marks})", params)
            (plan,) = cursor.fetchone()
        finally:
            cursor.execute("DEALLOCATE plan_probe")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def test_idempotency_key_lookup_is_one_index_probe_however_many_orders_the_company_has() -> None:
    buyer = make_buyer(customer=make_customer())
    now = timezone.now()
    insert_rows(
        [
            Order(
                number=f"B-PLAN-{i:04d}",
                customer=buyer.customer,
                placed_by=buyer,
                ship_to={},
                snapshot={},
                subtotal=Decimal("100"),
                fees_total=Decimal("0"),
                tax_10=Decimal("10"),
                tax_8=Decimal("0"),
                total=Decimal("110"),
                idempotency_key=f"key-{i}",
                cart_fingerprint="f",
                placed_at=now,
            )
            for i in range(2_000)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")

    sql, params = _statement_of(lambda: _order_with_key(customer=buyer.customer, key="key-1999"))
    nodes = _nodes(_generic_plan(sql, params))

    scans = [
        n
        for n in nodes
        if n["Node Type"] in ("Index Scan", "Index Only Scan", "Seq Scan", "Bitmap Heap Scan")
    ]
    assert [n.get("Index Name") for n in scans] == ["order_unique_idempotency_key"], nodes
    assert _order_with_key(customer=buyer.customer, key="key-1999").number == "B-PLAN-1999"
    assert _order_with_key(customer=buyer.customer, key="no-such-key") is None
