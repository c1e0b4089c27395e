"""Reorder reminders (contract section 9): crafted histories, grouping, dedupe, consent, links, clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from engagement import selectors, services
from engagement.models import EmailOptOut, ReminderDigest, ReorderReminder
from mail.models import OutgoingEmail
from mail.services import record_bounce
from orders.models import Order
from tests import factories
from tests.mail.helpers import deliver_queued_emails
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
START = date(2026, 3, 2)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


def buy(buyer, product, *days: date, quantity: int = 12, hour: int = 10, minute: int = 0) -> list[Order]:
    return [
        make_confirmed_order(
            buyer=buyer, items=[(product, quantity)], placed_at=at(d, hour, minute), push=False
        )
        for d in days
    ]


def every(days: int, n: int, start: date = START) -> list[date]:
    return [start + timedelta(days=days * i) for i in range(n)]


def due(on: date) -> set[tuple[int, int]]:
    return {(i.customer_id, i.product_id) for i in selectors.reorder_due(on=on, lead_days=2)}


@pytest.fixture
def buyer():
    return factories.make_buyer()


def test_an_item_bought_three_times_every_ten_days_is_due_when_its_interval_minus_lead_days_has_passed(buyer):
    product = factories.make_product()
    buy(buyer, product, *every(10, 3))  # last on START + 20
    last = START + timedelta(days=20)
    assert due(last + timedelta(days=8)) == set()  # 8 days: not more than 10 - 2
    assert due(last + timedelta(days=9)) == {(buyer.customer_id, product.id)}
    (item,) = selectors.reorder_due(on=last + timedelta(days=9), lead_days=2)
    assert (item.last_date, item.purchases, item.median_gap_days, item.due_date) == (
        last,
        3,
        10,
        last + timedelta(days=8),
    )


def test_the_median_ignores_one_odd_gap(buyer):
    product = factories.make_product()
    days = [START, START + timedelta(days=7), START + timedelta(days=14), START + timedelta(days=60)]
    buy(buyer, product, *days)  # gaps 7, 7, 46: median 7
    assert due(days[-1] + timedelta(days=6)) == {(buyer.customer_id, product.id)}


@pytest.mark.parametrize("history", ["one order", "two orders", "three orders on two days", "one cancelled"])
def test_histories_that_are_no_rhythm_yet_are_never_due(buyer, history):
    product = factories.make_product()
    if history == "one order":
        buy(buyer, product, START)
    elif history == "two orders":
        buy(buyer, product, *every(10, 2))
    elif history == "three orders on two days":
        buy(buyer, product, START, START + timedelta(days=10))
        buy(buyer, product, START + timedelta(days=10), hour=15)
    else:
        orders = buy(buyer, product, *every(10, 3))
        Order.objects.filter(pk=orders[1].pk).update(status="cancelled")
    assert due(START + timedelta(days=200)) == set()


def test_deactivated_products_and_customers_without_web_ordering_are_skipped(buyer):
    gone, kept = factories.make_product(), factories.make_product()
    buy(buyer, gone, *every(10, 3))
    buy(buyer, kept, *every(10, 3))
    gone.active = False
    gone.save()
    on = START + timedelta(days=40)
    assert due(on) == {(buyer.customer_id, kept.id)}
    buyer.customer.ec_enabled = False
    buyer.customer.save()
    assert due(on) == set()


def test_the_clock_at_year_end_counts_days_in_tokyo(buyer):
    product = factories.make_product()
    # 00:30 in Tokyo is 15:30 UTC the day before: the last purchase is 1 January, not 31 December.
    buy(buyer, product, date(2026, 12, 12), date(2026, 12, 22), date(2027, 1, 1), hour=0, minute=30)
    assert due(date(2027, 1, 9)) == set()
    assert due(date(2027, 1, 10)) == {(buyer.customer_id, product.id)}


def test_month_end_and_a_past_date_ignore_later_orders(buyer):
    product = factories.make_product()
    buy(buyer, product, date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31))  # gaps 28, 31
    assert due(date(2026, 4, 30)) == {(buyer.customer_id, product.id)}  # 30 days > 29.5 - 2
    buy(buyer, product, date(2026, 5, 1))
    assert due(date(2026, 4, 30)) == {(buyer.customer_id, product.id)}  # as that day saw it
    assert due(date(2026, 5, 2)) == set()


def _two_due_items(buyer):
    drink = factories.make_product(name="緑茶500ml", base_price="150")
    bolt = factories.make_product(name="ボルトM6", base_price="12")
    buy(buyer, drink, *every(10, 3), quantity=24)
    buy(buyer, bolt, *every(10, 3), quantity=100)
    return drink, bolt, START + timedelta(days=40)


def test_one_grouped_email_per_customer_to_the_usual_buyer_at_todays_price(buyer):
    drink, bolt, on = _two_due_items(buyer)
    occasional = factories.make_buyer(customer=buyer.customer)
    make_confirmed_order(buyer=occasional, placed_at=at(START), push=False)
    factories.make_price(product=drink, customer=buyer.customer, unit_price="140")  # a contract price today
    run = services.send_reminders(on=on, now=at(on, 8, 30))
    assert (run.emails, run.due_items, run.customers_due) == (1, 2, 1)
    assert deliver_queued_emails() == ["sent"]
    (message,) = mail.outbox
    assert message.to == [buyer.email]
    assert message.subject == "そろそろ補充の時期です: いつもの商品 2 点"
    assert "緑茶500ml" in message.body and "24個 × ¥140" in message.body
    assert "ボルトM6" in message.body and "100個 × ¥12" in message.body
    digest = ReminderDigest.objects.get()
    assert f"http://127.0.0.1:8000/reminders/{digest.id}/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url in message.body and "/unsubscribe/" in unsubscribe_url
    html = message.alternatives[0][0]
    assert "緑茶500ml" in html and "¥140" in html
    log = OutgoingEmail.objects.get()
    assert (log.kind, log.ref, log.recipient_id) == ("reorder_reminder", f"reminder:{digest.id}", buyer.id)


def test_never_twice_for_the_same_due_cycle_but_again_after_the_next_purchase(buyer):
    drink, _bolt, on = _two_due_items(buyer)
    services.send_reminders(on=on, now=at(on))
    again = services.send_reminders(on=on, now=at(on))
    next_day = services.send_reminders(on=on + timedelta(days=1), now=at(on + timedelta(days=1)))
    assert (again.emails, again.already_sent, next_day.emails) == (0, 1, 0)
    assert ReorderReminder.objects.count() == 2
    buy(buyer, drink, on + timedelta(days=2), quantity=24)  # a new cycle for the drink only
    later = on + timedelta(days=2 + 20)
    assert services.send_reminders(on=later, now=at(later)).emails == 1
    assert list(
        ReorderReminder.objects.filter(digest__on_date=later).values_list("product_id", flat=True)
    ) == [drink.id]


def test_a_job_killed_halfway_and_rerun_sends_no_duplicates():
    buyers = [factories.make_buyer() for _ in range(3)]
    for b in buyers:
        buy(b, factories.make_product(), *every(10, 3))
    on = START + timedelta(days=40)
    real = services._enqueue_digest_email
    calls = {"n": 0}

    def dies_on_the_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        return real(**kwargs)

    with (
        mock.patch.object(services, "_enqueue_digest_email", side_effect=dies_on_the_second),
        pytest.raises(SystemExit),
    ):
        services.send_reminders(on=on, now=at(on))
    assert OutgoingEmail.objects.count() == 1 and ReminderDigest.objects.count() == 1
    rerun = services.send_reminders(on=on, now=at(on))
    assert (rerun.emails, rerun.already_sent) == (2, 1)
    assert sorted(OutgoingEmail.objects.values_list("to_email", flat=True)) == sorted(b.email for b in buyers)


def test_an_unsubscribed_or_bounced_buyer_gets_none_and_the_next_buyer_is_asked(buyer, client):
    _two_due_items(buyer)
    on = START + timedelta(days=40)
    colleague = factories.make_buyer(customer=buyer.customer)
    token = services.unsubscribe_token(user_id=buyer.id, topic="reorder_reminders")
    page = client.get(f"/unsubscribe/{token}/")
    assert page.status_code == 200 and EmailOptOut.objects.count() == 0  # GET only asks
    assert client.post(f"/unsubscribe/{token}/").status_code == 200  # one-click POST, no session, no CSRF
    assert EmailOptOut.objects.filter(user=buyer, topic="reorder_reminders").exists()
    assert services.send_reminders(on=on, now=at(on)).no_recipient == 1  # the colleague never ordered
    make_confirmed_order(buyer=colleague, placed_at=at(START), push=False)
    record_bounce(email=colleague.email, now=timezone.now())
    assert services.send_reminders(on=on, now=at(on)).no_recipient == 1
    third = factories.make_buyer(customer=buyer.customer)
    make_confirmed_order(buyer=third, placed_at=at(START), push=False)
    assert services.send_reminders(on=on, now=at(on)).emails == 1
    assert OutgoingEmail.objects.get().to_email == third.email


def test_tampered_or_expired_unsubscribe_links_say_so_and_change_nothing(buyer, client):
    token = services.unsubscribe_token(user_id=buyer.id, topic="reorder_reminders")
    tampered = client.post(f"/unsubscribe/{token[:-2]}xx/")
    assert tampered.status_code == 400 and "このリンクは無効です" in tampered.content.decode()
    with mock.patch("django.core.signing.time.time", return_value=timezone.now().timestamp() - 91 * 86400):
        old = services.unsubscribe_token(user_id=buyer.id, topic="reorder_reminders")
    expired = client.post(f"/unsubscribe/{old}/")
    assert expired.status_code == 400 and "有効期限が切れています" in expired.content.decode()
    assert not EmailOptOut.objects.exists()


def test_the_cart_link_logs_nobody_in_and_fills_the_cart_after_sign_in(buyer, client):
    drink, bolt, on = _two_due_items(buyer)
    services.send_reminders(on=on, now=at(on))
    digest = ReminderDigest.objects.get()
    url = f"/reminders/{digest.id}/"
    assert client.get(url).url.startswith("/login/")
    stranger = factories.make_buyer()
    client.force_login(stranger)
    assert client.get(url).status_code == 404  # another company's reminder
    client.force_login(buyer)
    page = client.get(url).content.decode()
    assert "緑茶500ml" in page and "¥150" in page
    assert "そろそろ補充" not in client.get("/").content.decode()  # that reminder is months old
    ReminderDigest.objects.update(on_date=timezone.localdate())
    assert "いつもの商品がそろそろ補充の時期です" in client.get("/").content.decode()  # the storefront banner
    response = client.post(url)
    assert response.status_code == 302
    assert {(line.product_id, line.quantity) for line in buyer.cart.lines.all()} == {
        (drink.id, 24),
        (bolt.id, 100),
    }


def test_an_order_within_14_days_counts_as_conversion(buyer):
    _drink, _bolt, on = _two_due_items(buyer)
    services.send_reminders(on=on, now=at(on))
    assert selectors.conversion_rate(since=on) == (1, 0)
    make_confirmed_order(buyer=buyer, placed_at=at(on + timedelta(days=15)), push=False)
    assert selectors.conversion_rate(since=on) == (1, 0)
    make_confirmed_order(buyer=buyer, placed_at=at(on + timedelta(days=13)), push=False)
    assert selectors.conversion_rate(since=on) == (1, 1)


def test_command_dry_run_records_nothing_and_bad_dates_are_refused(buyer, capsys):
    _two_due_items(buyer)
    call_command("send_reminders", "--date", (START + timedelta(days=40)).isoformat(), "--dry-run")
    assert "2 item(s) due for 1 customer(s); nothing sent" in capsys.readouterr().out
    assert not ReminderDigest.objects.exists() and not OutgoingEmail.objects.exists()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026-02-30")
    call_command("send_reminders", "--date", (START + timedelta(days=40)).isoformat())
    assert "1 e-mail(s) queued" in capsys.readouterr().out
