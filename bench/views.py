"""Baseline views for the benchmark: what this stack costs before any shop logic runs.

Each is the floor for one kind of shop request, served by the same gunicorn workers with the
same middleware, so a shop page is compared with the framework doing the least it can:
- hello: routing + middleware + JSON, no query;
- select/<pk>: one indexed SELECT by primary key;
- rows50: a logged-in page that renders 50 product rows through the site's base template;
- insert: one INSERT in one transaction (the floor for any write, e.g. checkout).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalog.models import Product

INSERT_TABLE = "bench_insert"
"""Created by bench.dataset (not a migration: the bench is not an installed app)."""


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"hello": "world"})


def one_select(request: HttpRequest, pk: int) -> JsonResponse:
    row = Product.objects.filter(pk=pk).values("sku", "name", "base_price").first()
    if row is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse({"sku": row["sku"], "name": row["name"], "base_price": str(row["base_price"])})


@login_required
def rows50(request: HttpRequest) -> HttpResponse:
    # Keyset paging (sku >= from): an index range scan, as a well-built catalog page would do.
    products = list(
        Product.objects.filter(active=True, sku__gte=request.GET.get("from", ""))
        .order_by("sku")
        .only("sku", "name", "unit", "base_price", "case_quantity")[:50]
    )
    return render(request, "bench/rows50.html", {"products": products})


@csrf_exempt
@require_POST
def single_insert(request: HttpRequest) -> JsonResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (at, payload) VALUES (now(), %s) RETURNING id",  # noqa: S608 - constant
            [request.body[:200].decode("utf-8", "replace")],
        )
        (new_id,) = cursor.fetchone()
    return JsonResponse({"id": new_id}, status=201)
