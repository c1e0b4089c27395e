"""Payments from the ERP (idempotent by reference), balances and ageing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing import selectors, services
from billing.models import Payment
from tests.billing.builders import at, billing_customer, order_for

pytestmark = pytest.mark.django_db


def _pay(api, code, **body):
    return api.post(f"/api/v1/erp/customers/{code}/payments", body, content_type="application/json")


def test_payment_is_idempotent_by_reference_and_conflicts_on_another_amount(erp_api):
    customer = billing_customer()
    body = {"amount": "55000", "received_on": "2026-12-25", "reference": "BANK-1"}
    first = _pay(erp_api, customer.code, **body)
    assert first.status_code == 201, first.content
    assert first.json()["amount"] == "55000" and first.json()["balance"] == "-55000"

    again = _pay(erp_api, customer.code, **body)
    assert again.status_code == 200 and again.json() == first.json()
    assert Payment.objects.count() == 1

    conflict = _pay(erp_api, customer.code, **{**body, "amount": "50000"})
    assert conflict.status_code == 409
    error = conflict.json()
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == "payment_reference_conflict"
    assert error["details"] == {"amount": "55000", "received_on": "2026-12-25"}
    assert Payment.objects.get().amount == 55000


def test_the_same_reference_is_independent_per_customer(erp_api):
    a, b = billing_customer(), billing_customer()
    body = {"amount": "100", "received_on": "2026-12-25", "reference": "R-1"}
    assert _pay(erp_api, a.code, **body).status_code == 201
    assert _pay(erp_api, b.code, **body).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "received_on": "2026-12-25", "reference": "R"}, "amount"),
        ({"amount": "-5", "received_on": "2026-12-25", "reference": "R"}, "amount"),
        ({"amount": "10.5", "received_on": "2026-12-25", "reference": "R"}, "amount"),
        ({"amount": 100.0, "received_on": "2026-12-25", "reference": "R"}, "amount"),
        ({"amount": "100", "received_on": "2026-13-01", "reference": "R"}, "received_on"),
        ({"amount": "100", "received_on": "2026-12-25"}, "reference"),
        ({"amount": "100", "received_on": "2026-12-25", "reference": "   "}, "reference"),
    ],
)
def test_bad_payments_are_400_and_change_nothing(erp_api, body, field):
    customer = billing_customer()
    response = _pay(erp_api, customer.code, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()["details"]
    assert not Payment.objects.exists()


def test_unknown_customer_is_404(erp_api):
    assert _pay(erp_api, "NOPE", amount="1", received_on="2026-12-25", reference="R").status_code == 404


def test_buyers_cannot_report_payments(buyer_client):
    customer = billing_customer()
    response = _pay(buyer_client, customer.code, amount="1", received_on="2026-12-25", reference="R")
    assert response.status_code in (401, 403)
    assert not Payment.objects.exists()


def test_ageing_applies_payments_oldest_invoice_first():
    invoices = [
        ("A", date(2026, 8, 31), Decimal(1000)),
        ("B", date(2026, 9, 30), Decimal(2000)),
        ("C", date(2026, 10, 31), Decimal(3000)),
        ("D", date(2026, 11, 30), Decimal(4000)),
        ("E", date(2026, 12, 31), Decimal(5000)),
    ]
    ageing = selectors.age_invoices(invoices=invoices, paid=Decimal(1500), today=date(2026, 12, 10))
    # A paid in full, 500 of B paid; B is 71 days, C 40, D 10 days overdue; E not yet due.
    assert ageing.balance == 13500
    assert ageing.buckets == {
        "current": 5000,
        "1_30": 4000,
        "31_60": 3000,
        "61_90": 1500,
        "over_90": 0,
    }
    assert ageing.is_overdue and ageing.overdue == 8500 and ageing.max_days_overdue == 71
    paid_up = selectors.age_invoices(invoices=invoices, paid=Decimal(16000), today=date(2027, 6, 1))
    assert paid_up.balance == -1000 and not paid_up.is_overdue and set(paid_up.buckets.values()) == {0}
    old = selectors.age_invoices(invoices=invoices[:1], paid=Decimal(0), today=date(2026, 12, 1))
    assert old.buckets["over_90"] == 1000


def test_balance_and_ageing_from_invoices_and_payments():
    customer = billing_customer(closing_day=31, payment_terms="next_month_end")
    order_for(customer, shipped_on=date(2026, 10, 5))
    (october,) = services.close_invoices(run_date=date(2026, 10, 30), now=at(date(2026, 10, 30))).created
    order_for(customer, shipped_on=date(2026, 11, 5))
    (november,) = services.close_invoices(run_date=date(2026, 11, 30), now=at(date(2026, 11, 30))).created
    assert october.due_date == date(2026, 11, 30)
    services.record_payment(
        customer_code=customer.code,
        amount=Decimal(100),
        received_on=date(2026, 12, 1),
        reference="X",
        actor=None,
    )
    ageing = selectors.customer_ageing(customer=customer, today=date(2026, 12, 15))
    assert ageing.balance == october.purchases_total + november.purchases_total - 100
    assert ageing.buckets["1_30"] == october.purchases_total - 100  # 15 days past 11/30
    assert ageing.buckets["current"] == november.purchases_total  # due 12/31
    assert ageing.is_overdue
    rows = dict(selectors.list_receivables(today=date(2026, 12, 15)))
    assert rows[customer].balance == ageing.balance


def test_staff_receivables_list_and_csv(staff_client):
    customer = billing_customer(closing_day=31)
    customer.name = "=HYPERLINK(1)"
    customer.save()
    order_for(customer, shipped_on=date(2026, 10, 5))
    services.close_invoices(run_date=date(2026, 10, 30), now=at(date(2026, 10, 30)))
    page = staff_client.get("/admin/billing/receivable/")
    assert page.status_code == 200
    assert customer.code in page.content.decode()
    csv = staff_client.get("/admin/billing/receivable/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert customer.code in text and "'=HYPERLINK(1)" in text
