"""The bench-only baseline views answer what the harness measures against."""

import pytest
from django.db import connection

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench.urls")]


def test_hello_and_one_select(client, django_assert_num_queries):
    assert client.get("/bench/hello").json() == {"hello": "world"}
    product = factories.make_product(sku="BENCH-1", base_price="120")
    with django_assert_num_queries(1):
        body = client.get(f"/bench/select/{product.pk}").json()
    assert body == {"sku": "BENCH-1", "name": product.name, "base_price": "120.00"}
    assert client.get("/bench/select/999999").status_code == 404


def test_fifty_rows_page_needs_a_login_and_renders_fifty_products(client, buyer):
    for i in range(55):
        factories.make_product(sku=f"ROW-{i:03d}")
    assert client.get("/bench/rows50").status_code == 302
    client.force_login(buyer)
    page = client.get("/bench/rows50").content.decode()
    assert page.count("<tr><td>") == 50
    assert "ROW-000" in page and "ROW-054" not in page
    page = client.get("/bench/rows50?from=ROW-005").content.decode()
    assert page.count("<tr><td>") == 50 and "ROW-004" not in page and "ROW-054" in page


def test_single_insert_writes_one_row(client):
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, at timestamptz, payload text)"
        )
    response = client.post("/bench/insert", data="{}", content_type="application/json")
    assert response.status_code == 201
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_insert")
        assert cur.fetchone()[0] == 1
