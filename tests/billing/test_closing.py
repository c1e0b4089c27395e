"""The closing run (締め処理): what an invoice covers, reruns, holidays, carry-over, tax, races."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from billing import services
from billing.models import Invoice, InvoiceOrder, Payment
from orders.models import Holiday, Order, OrderEvent
from tests.billing.builders import at, billing_customer, order_for, product

pytestmark = pytest.mark.django_db

NOV_30 = date(2026, 11, 30)  # a Monday, month end


def close(day: date, **kwargs):
    return services.close_invoices(run_date=day, now=at(day, 23), **kwargs)


def test_month_end_run_bills_shipped_orders_once_and_marks_them_invoiced():
    customer = billing_customer(closing_day=31)
    other_day = billing_customer(closing_day=20)
    shipped = [order_for(customer, shipped_on=date(2026, 11, d)) for d in (5, 30)]
    later = order_for(customer, shipped_on=date(2026, 12, 1))
    accepted = order_for(customer, shipped_on=date(2026, 11, 10), status="accepted")
    order_for(other_day, shipped_on=date(2026, 11, 10))

    result = close(NOV_30)

    assert [i.customer for i in result.created] == [customer]
    invoice = result.created[0]
    assert set(invoice.invoice_orders.values_list("order_id", flat=True)) == {o.pk for o in shipped}
    # Tax is rounded once per rate over the invoice, so the invoice may exceed the orders by a few yen.
    difference = invoice.tax_difference_10 + invoice.tax_difference_8
    assert invoice.purchases_total == sum(o.total for o in shipped) + difference
    assert invoice.closing_date == invoice.period_end == NOV_30
    assert invoice.issuer_registration_number == "T7000012050002"
    for order in shipped:
        order.refresh_from_db()
        assert order.status == Order.Status.INVOICED
        assert OrderEvent.objects.filter(order=order, type="invoiced").count() == 1
    later.refresh_from_db()
    accepted.refresh_from_db()
    assert (later.status, accepted.status) == ("shipped", "accepted")

    again = close(NOV_30)
    assert again.created == [] and again.already_closed == 1
    assert Invoice.objects.count() == 1
    assert OrderEvent.objects.filter(type="invoiced").count() == 2


def test_accepted_basis_bills_accepted_orders_too(settings):
    settings.INVOICE_BASIS = "accepted"
    customer = billing_customer(closing_day=31)
    accepted = order_for(customer, shipped_on=date(2026, 11, 10), status="accepted")
    confirmed = order_for(customer, shipped_on=date(2026, 11, 10), status="confirmed")
    (invoice,) = close(NOV_30).created
    assert list(invoice.invoice_orders.values_list("order_id", flat=True)) == [accepted.pk]
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed"
    # The ERP ships it later: the shipment is recorded, the order stays invoiced.
    from orders.events import record_erp_event

    record_erp_event(
        number=accepted.number, event_type="shipped", occurred_at=None, actor=None, now=at(NOV_30)
    )
    accepted.refresh_from_db()
    assert accepted.status == "invoiced"
    assert accepted.events.filter(type="shipped").exists()


def test_nothing_to_bill_makes_no_invoice():
    billing_customer(closing_day=31)
    result = close(NOV_30)
    assert result.created == [] and result.nothing_to_bill == 1


def test_a_holiday_closing_day_closes_on_the_business_day_before(settings):
    customer = billing_customer(closing_day=20)
    Holiday.objects.create(date=date(2026, 11, 20), name="創立記念日")
    order_for(customer, shipped_on=date(2026, 11, 18))
    assert close(date(2026, 11, 20)).created == []  # the holiday itself closes nothing
    (invoice,) = close(date(2026, 11, 19)).created
    assert (invoice.closing_date, invoice.closed_on) == (date(2026, 11, 20), date(2026, 11, 19))
    assert close(date(2026, 11, 19)).created == []


def test_a_holiday_closing_day_closes_on_the_business_day_after(settings):
    settings.INVOICE_HOLIDAY_CLOSING = "after"
    customer = billing_customer(closing_day=31)  # 2027-01-31 is a Sunday
    order_for(customer, shipped_on=date(2027, 1, 29))
    assert close(date(2027, 1, 29)).created == []
    (invoice,) = close(date(2027, 2, 1)).created
    assert (invoice.closing_date, invoice.closed_on) == (date(2027, 1, 31), date(2027, 2, 1))


def test_leap_february_month_end():
    customer = billing_customer(closing_day=31, payment_terms="next_month_end")
    order_for(customer, shipped_on=date(2028, 2, 29))
    assert close(date(2028, 2, 28)).created == []
    (invoice,) = close(date(2028, 2, 29)).created
    assert invoice.due_date == date(2028, 3, 31)


def test_second_invoice_carries_the_balance_over_and_reports_payments():
    customer = billing_customer(closing_day=31, payment_terms_days=30)
    order_for(customer, shipped_on=date(2026, 10, 15))
    first = close(date(2026, 10, 30)).created[0]  # 2026-10-31 is a Saturday: closes on Friday 30th
    assert (first.previous_balance, first.payments_received, first.due_date) == (0, 0, date(2026, 11, 30))
    Payment.objects.create(
        customer=customer, amount=Decimal(1000), received_on=date(2026, 11, 10), reference="P1"
    )
    Payment.objects.create(
        customer=customer, amount=Decimal(5), received_on=date(2026, 12, 2), reference="P2"
    )
    second_order = order_for(customer, shipped_on=date(2026, 11, 16))
    second = close(NOV_30).created[0]
    assert second.previous_balance == first.total_due
    assert second.payments_received == 1000  # P2 arrived after the closing date: next invoice
    assert second.carried_over == first.total_due - 1000
    assert second.purchases_total == second_order.total  # one order: invoice tax = order tax
    assert second.total_due == second.carried_over + second.purchases_total
    assert second.period_start == date(2026, 10, 31)
    assert Payment.objects.get(reference="P1").invoice == second
    assert Payment.objects.get(reference="P2").invoice is None


def test_tax_is_computed_once_per_rate_and_the_difference_from_the_orders_is_kept():
    customer = billing_customer(closing_day=31)
    tea = product("112", tax_rate=8)  # 112 × 8 % = 8.96 → 8 per order
    bolt = product("0.85")  # 13 × 0.85 = 11.05 → 11; 11 × 10 % = 1.1 → 1 per order
    for day in (2, 3, 4):
        order_for(customer, shipped_on=date(2026, 11, day), items=[(tea, 1), (bolt, 13)])
    (invoice,) = close(NOV_30).created
    assert (invoice.taxable_8, invoice.tax_8, invoice.orders_tax_8) == (336, 26, 24)  # 26.88 → 26
    assert (invoice.taxable_10, invoice.tax_10, invoice.orders_tax_10) == (33, 3, 3)  # 3.3 → 3
    assert invoice.tax_difference_8 == 2 and invoice.tax_difference_10 == 0
    assert invoice.purchases_total == 336 + 26 + 33 + 3


@pytest.mark.parametrize(
    ("amounts", "rate", "expected_tax"),
    [(["99"], 10, 9), (["99", "99"], 10, 19), (["12.5"], 8, 0), (["1249"], 8, 99), (["1250"], 8, 100)],
)
def test_tax_rounding_on_awkward_amounts(amounts, rate, expected_tax):
    customer = billing_customer(closing_day=31)
    for index, price in enumerate(amounts):
        order_for(customer, shipped_on=date(2026, 11, 2 + index), items=[(product(price, tax_rate=rate), 1)])
    (invoice,) = close(NOV_30).created
    assert (invoice.tax_10 if rate == 10 else invoice.tax_8) == expected_tax


def test_an_order_can_never_be_on_two_invoices():
    customer = billing_customer(closing_day=31)
    order = order_for(customer, shipped_on=date(2026, 11, 2))
    (invoice,) = close(NOV_30).created
    other = Invoice.objects.create(
        number="X-1", customer=customer, closing_date=date(2026, 12, 31), closed_on=date(2026, 12, 31),
        period_end=date(2026, 12, 31), due_date=date(2027, 1, 31), issuer_name="x", recipient_name="y",
        issued_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceOrder.objects.create(invoice=other, order=order, transaction_date=date(2026, 11, 2))
    assert InvoiceOrder.objects.get(order=order).invoice == invoice


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_for_the_same_date_issue_each_invoice_once():
    customers = [billing_customer(closing_day=31) for _ in range(3)]
    orders = [order_for(c, shipped_on=date(2026, 11, d)) for c in customers for d in (3, 9, 27)]
    barrier = threading.Barrier(6)
    outcomes: list = []

    def run():
        try:
            barrier.wait(timeout=30)
            outcomes.append(len(close(NOV_30).created))
        except Exception as exc:  # noqa: BLE001 - every outcome is inspected
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 3
    assert Invoice.objects.count() == 3
    assert InvoiceOrder.objects.count() == len(orders)
    assert OrderEvent.objects.filter(type="invoiced").count() == len(orders)


def test_command_dry_run_writes_nothing_and_the_real_run_reports(capsys):
    customer = billing_customer(closing_day=31)
    order_for(customer, shipped_on=date(2026, 11, 2))
    call_command("close_invoices", "--date", "2026-11-30", "--dry-run")
    out = capsys.readouterr().out
    assert "1 invoices would be issued" in out and customer.code in out
    assert Invoice.objects.count() == 0
    call_command("close_invoices", "--date", "2026-11-30")
    assert "1 invoices issued" in capsys.readouterr().out
    call_command("close_invoices", "--date", "2026-11-30")
    assert "0 invoices issued, 1 already closed" in capsys.readouterr().out


def test_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("close_invoices", "--date", "2026-02-30")


def test_beat_task_closes_the_given_day_and_is_scheduled(settings):
    from billing.tasks import close_invoices_task

    assert (
        settings.CELERY_BEAT_SCHEDULE["billing-daily-closing"]["task"] == "billing.tasks.close_invoices_task"
    )
    customer = billing_customer(closing_day=31)
    order_for(customer, shipped_on=date(2026, 11, 2))
    assert close_invoices_task.run(run_date="2026-11-30") == 1
    assert close_invoices_task.run(run_date="2026-11-30") == 0
