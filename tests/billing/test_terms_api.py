"""Billing terms from the ERP customer master, and checkout's statement count with a credit limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bench import scenarios
from customers.models import Customer

pytestmark = pytest.mark.django_db

BODY = {
    "name": "株式会社山田工業",
    "prefecture": "東京都",
    "postal_code": "100-0001",
    "address": "千代田区千代田1-1",
    "closing_day": 31,
    "ec_enabled": True,
}


def test_erp_sets_month_end_payment_terms(erp_api):
    response = erp_api.put(
        "/api/v1/erp/customers/C77",
        {**BODY, "payment_terms": "month_after_next_end"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["payment_terms"] == "month_after_next_end"
    assert Customer.objects.get(code="C77").payment_terms == "month_after_next_end"


def test_unknown_payment_terms_are_400_and_change_nothing(erp_api):
    response = erp_api.put(
        "/api/v1/erp/customers/C78", {**BODY, "payment_terms": "翌月10日"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "payment_terms" in response.json()["details"]
    assert not Customer.objects.filter(code="C78").exists()


@pytest.mark.parametrize("lines", [5, 50])
def test_checkout_with_a_credit_limit_stays_within_the_statement_bound(client, assert_max_statements, lines):
    world = scenarios.build_world()
    Customer.objects.filter(pk=world.customer.pk).update(credit_limit=Decimal(10**9))
    world.customer.refresh_from_db()
    _path, act = scenarios.checkout_request(world, client, lines=lines)
    # The credit check costs one statement; the rules and the category tree come from the per-process
    # cache (one version read), which makes room for it within the 20 of issue 11.
    with assert_max_statements(20) as context:
        response = act()
    assert response.status_code == 201, response.content[:500]
    assert any("FOR NO KEY UPDATE" in q["sql"] for q in context.captured_queries)


@pytest.mark.parametrize("lines", [5, 50])
def test_bulk_cart_put_with_a_credit_limit_stays_within_the_statement_bound(
    client, assert_max_statements, lines
):
    world = scenarios.build_world()
    Customer.objects.filter(pk=world.customer.pk).update(credit_limit=Decimal(10**9))
    world.customer.refresh_from_db()
    _path, act = scenarios.cart_bulk_request(world, client, lines=lines)
    with assert_max_statements(12):
        response = act()
    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["lines"]) == lines
