"""Invitation and password-reset e-mails: outbox rows written with their cause, links made at send time."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from customers import services as customer_services
from customers.models import Invitation
from mail import services
from mail.models import OutgoingEmail
from tests import factories
from tests.mail.helpers import deliver_queued_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.make_buyer(email="admin@acme.example.jp", role="admin")


def _lost_publish(monkeypatch):
    """The process dies right after commit: the fast-path Celery publish never happens."""
    monkeypatch.setattr(services, "_schedule", lambda **kwargs: False)


def test_an_invitation_is_an_outbox_row_of_its_transaction_without_the_token(admin, monkeypatch):
    _lost_publish(monkeypatch)
    issued = customer_services.invite_member(admin=admin, email="new@acme.example.jp", now=timezone.now())
    row = OutgoingEmail.objects.get(kind="invitation")
    assert row.ref == f"invitation:{issued.invitation.pk}"
    assert issued.token not in row.body_text + row.body_html  # the send log holds no live link
    assert services.LINK_PLACEHOLDER in row.body_text and services.LINK_PLACEHOLDER in row.body_html

    # A crash between commit and send lost the task, not the e-mail: the sweep finds the row.
    later = timezone.now() + timedelta(minutes=5)
    assert services.due_email_ids(now=later) == [row.id]
    assert services.deliver_email(outbox_id=row.id, now=later) == "sent"
    (message,) = mail.outbox
    assert f"/invitation/{issued.token}/" in message.body
    html = message.alternatives[0][0]
    assert f"/invitation/{issued.token}/" in html and "招待" in message.subject


def test_a_rolled_back_invitation_leaves_no_email(admin):
    def invite_then_fail() -> None:
        with transaction.atomic():
            customer_services.invite_member(admin=admin, email="new@acme.example.jp", now=timezone.now())
            raise RuntimeError("the request failed after the invitation")

    with pytest.raises(RuntimeError):
        invite_then_fail()
    assert not OutgoingEmail.objects.exists() and not Invitation.objects.exists()


def test_an_invitation_replaced_before_sending_is_not_sent_and_the_new_one_works(admin, client):
    now = timezone.now()
    customer_services.invite_member(admin=admin, email="new@acme.example.jp", now=now)
    second = customer_services.invite_member(admin=admin, email="new@acme.example.jp", now=now)
    assert deliver_queued_emails() == ["failed", "sent"]
    first_row = OutgoingEmail.objects.order_by("id").first()
    assert first_row is not None and "no longer valid" in first_row.last_error
    (message,) = mail.outbox
    path = re.search(r"https?://[^/]+(/invitation/\S+/)", message.body).group(1)
    assert path == f"/invitation/{second.token}/"
    assert client.get(path).status_code == 200


def test_a_password_reset_is_an_outbox_row_whose_link_is_made_at_send_time(client, monkeypatch, english):
    buyer = factories.make_buyer(email="forgot@acme.example.jp")
    buyer.preferred_language = "en"
    buyer.save()
    _lost_publish(monkeypatch)
    assert client.post("/password/reset/", {"email": "forgot@acme.example.jp"}).status_code == 302
    row = OutgoingEmail.objects.get(kind="password_reset")
    assert row.recipient_id == buyer.pk and row.language == "en"
    assert "/password/reset/" not in row.body_text  # no token in the send log
    later = timezone.now() + timedelta(minutes=5)
    assert services.due_email_ids(now=later) == [row.id]
    assert services.deliver_email(outbox_id=row.id, now=later) == "sent"
    (message,) = mail.outbox
    assert "reset" in message.subject.lower() and message.alternatives
    path = re.search(r"https?://[^/]+(/password/reset/\S+/)", message.body).group(1)
    form = client.get(path, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "kyoto-nara-2026", "new_password2": "kyoto-nara-2026"}
    )
    assert done.status_code == 302
    buyer.refresh_from_db()
    assert buyer.check_password("kyoto-nara-2026")
