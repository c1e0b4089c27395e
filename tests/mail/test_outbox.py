"""The e-mail outbox: written with its cause, sent with retries, logged, suppressed after a bounce."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mail import services
from mail.models import OutgoingEmail, Suppression
from orders.services.notifications import enqueue_order_confirmation
from tests import factories
from tests.mail.helpers import deliver_queued_emails
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


def _confirm(order, *, language="ja"):
    order.placed_by.preferred_language = language
    order.placed_by.save()
    with transaction.atomic():
        return enqueue_order_confirmation(order=order, now=timezone.now())


def test_order_confirmation_goes_through_the_outbox_in_japanese_as_text_and_html():
    order = make_confirmed_order(po_number="PO-9")
    (row,) = _confirm(order)
    assert (row.status, row.kind, row.to_email, row.language) == (
        "pending",
        "order_confirmation",
        order.placed_by.email,
        "ja",
    )
    assert row.reason == f"order {order.number} placed"
    assert mail.outbox == []  # nothing leaves before the worker sends it
    assert deliver_queued_emails() == ["sent"]
    (message,) = mail.outbox
    assert message.to == [order.placed_by.email]
    assert message.subject == f"ご注文確認 {order.number}"
    assert f"ご注文番号は {order.number} です" in message.body
    assert "PO-9" in message.body and "¥1,440" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and order.number in html and "<table" in html
    assert message.extra_headers["Message-ID"] == f"<outbox-{row.id}@example.jp>"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1) and row.sent_at is not None


def test_a_buyer_who_chose_english_gets_english(english):
    order = make_confirmed_order()
    _confirm(order, language="en")
    deliver_queued_emails()
    (message,) = mail.outbox
    assert message.subject == f"Order confirmation {order.number}"
    assert "Thank you for your order." in message.body


def test_switching_language_in_the_storefront_updates_the_users_preference(client):
    buyer = factories.make_buyer()
    client.force_login(buyer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.preferred_language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # not offered: nothing changes
    buyer.refresh_from_db()
    assert buyer.preferred_language == "en"


def test_a_rolled_back_cause_leaves_no_email():
    order = make_confirmed_order()

    def failing_checkout() -> None:
        with transaction.atomic():
            enqueue_order_confirmation(order=order, now=timezone.now())
            raise RuntimeError("checkout failed after the e-mail was queued")

    with pytest.raises(RuntimeError):
        failing_checkout()
    assert not OutgoingEmail.objects.exists()


def test_a_failing_mail_server_is_retried_with_backoff_then_parked_for_staff(settings):
    settings.EMAIL_BACKEND = "tests.mail.backends.FailingBackend"
    settings.MAIL_MAX_ATTEMPTS = 3
    (row,) = _confirm(make_confirmed_order())
    now = timezone.now()
    assert services.deliver_email(outbox_id=row.id, now=now) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1) and "unreachable" in row.last_error
    assert row.next_attempt_at > now
    assert services.deliver_email(outbox_id=row.id, now=now) == "skipped"  # not due yet
    later = row.next_attempt_at + timedelta(seconds=1)
    assert services.due_email_ids(now=later) == [row.id]  # the sweep would re-send it
    assert services.deliver_email(outbox_id=row.id, now=later) == "retry"
    row.refresh_from_db()
    assert services.deliver_email(outbox_id=row.id, now=row.next_attempt_at) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.retry_failed_emails(outbox_ids=[row.id], now=timezone.now()) == 1
    assert deliver_queued_emails() == ["sent"]
    assert len(mail.outbox) == 1


def test_a_bounced_address_is_suppressed_and_later_mail_is_logged_not_sent():
    order = make_confirmed_order()
    _confirm(order)
    deliver_queued_emails()
    address = order.placed_by.email
    assert services.record_bounce(email=address.upper(), now=timezone.now(), detail="550 no such user") == 1
    assert OutgoingEmail.objects.get().status == "bounced"
    assert Suppression.objects.filter(email=address.lower()).exists()
    mail.outbox.clear()
    _confirm(order)
    assert deliver_queued_emails() == ["skipped"]
    assert mail.outbox == []
    assert OutgoingEmail.objects.filter(status="suppressed").count() == 1
    assert OutgoingEmail.objects.get(status="suppressed").attempts == 0  # never tried, never will be


def test_sending_one_email_costs_three_statements_and_a_second_task_for_it_one():
    (row,) = _confirm(make_confirmed_order())
    with CaptureQueriesContext(connection) as queries:
        assert services.deliver_email(outbox_id=row.id, now=timezone.now()) == "sent"
    # claim (one UPDATE ... RETURNING), the suppression check, the outcome
    assert (
        len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]) == 3
    )
    with CaptureQueriesContext(connection) as queries:
        assert services.deliver_email(outbox_id=row.id, now=timezone.now()) == "skipped"
    assert len(queries.captured_queries) == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("sent", 1, None)


def test_the_sweep_finds_rows_whose_task_was_lost(settings):
    settings.MAIL_SWEEP_GRACE_SECONDS = 60
    (row,) = _confirm(make_confirmed_order())
    assert services.due_email_ids(now=timezone.now()) == []  # the fast path still has its chance
    assert services.due_email_ids(now=timezone.now() + timedelta(seconds=61)) == [row.id]


def test_dedupe_key_makes_a_second_enqueue_return_the_first_row():
    buyer = factories.make_buyer()
    kwargs = {
        "kind": "test",
        "template": "orders/email/shipped",
        "context": {"order": make_confirmed_order(buyer=buyer)},
        "to": buyer.email,
        "language": "ja",
        "reason": "test",
        "dedupe_key": "once",
    }
    first = services.enqueue_email(now=timezone.now(), **kwargs)
    second = services.enqueue_email(now=timezone.now(), **kwargs)
    assert first.id == second.id and OutgoingEmail.objects.count() == 1


def test_staff_see_the_send_log_with_a_preview(staff_client):
    (row,) = _confirm(make_confirmed_order())
    assert staff_client.get("/admin/mail/outgoingemail/").status_code == 200
    page = staff_client.get(f"/admin/mail/outgoingemail/{row.id}/change/").content.decode()
    assert "<iframe sandbox" in page and row.subject in page
