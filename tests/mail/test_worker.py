"""The e-mail outbox through a real Celery worker and Redis: a worker killed mid-send loses nothing."""

from __future__ import annotations

import email
import os
import signal
import subprocess
from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from django.utils import timezone

from mail import services
from mail.models import OutgoingEmail
from orders.services.notifications import enqueue_order_confirmation
from tests.orders.erp_builders import make_confirmed_order
from tests.workers import CeleryWorkers
from tests.workers import wait_for as _wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start Celery workers on the test database whose e-mails land in tmp_path/drop."""
    (tmp_path / "drop").mkdir()
    workers = CeleryWorkers(
        tmp_path,
        name="mail-test",
        env={
            **os.environ,
            "TEST_EMAIL_BACKEND": "tests.mail.backends.FileDropBackend",
            "MAIL_TEST_DIR": str(tmp_path / "drop"),
        },
    )
    yield workers.start
    workers.stop_all()


def test_a_worker_killed_mid_send_leaves_the_email_pending_and_the_sweep_sends_it(start_worker, tmp_path):
    drop = tmp_path / "drop"
    env = {"MAIL_TEST_STALL_FIRST": "1", "MAIL_SEND_LEASE_SECONDS": "1"}
    first = start_worker(**env)
    order = make_confirmed_order()
    with transaction.atomic():
        (row,) = enqueue_order_confirmation(order=order, now=timezone.now())  # published on commit
    _wait_for(lambda: (drop / "entered").exists(), timeout=15, what="the worker to start sending")
    os.kill(first.pid, signal.SIGKILL)  # dies while talking to the mail server
    first.wait(5)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)  # not lost, not marked sent
    assert list(drop.glob("sent-*.eml")) == []

    start_worker(**env)
    _wait_for(
        lambda: timezone.now() > OutgoingEmail.objects.get(pk=row.pk).next_attempt_at, timeout=5, what="lease"
    )
    assert services.sweep_emails(now=timezone.now()) >= 1
    _wait_for(lambda: OutgoingEmail.objects.get(pk=row.pk).status == "sent", timeout=20, what="the re-send")
    row.refresh_from_db()
    assert row.attempts == 2
    (sent,) = drop.glob("sent-*.eml")
    message = email.message_from_bytes(sent.read_bytes())
    assert message["To"] == order.placed_by.email
    assert message["Message-ID"] == f"<outbox-{row.id}@example.jp>"
    assert order.number in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert f"ご注文番号は {order.number} です" in parts["text/plain"]
