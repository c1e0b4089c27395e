"""Celery tasks for the e-mail outbox: thin callers of mail.services; ids in, clock read here."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=60, time_limit=90
)
def send_email_task(*, outbox_id: int, **kwargs: object) -> None:
    """Send one outbox e-mail (mail.services.deliver_email); retries re-enqueue themselves."""
    from mail import services

    services.deliver_email(outbox_id=outbox_id, now=timezone.now())


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=55)
def sweep_emails_task(**kwargs: object) -> None:
    """Beat, every minute: re-send pending e-mails whose task was lost or whose retry is due."""
    from mail import services

    services.sweep_emails(now=timezone.now())
