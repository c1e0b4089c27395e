"""Celery tasks for billing: thin callers of billing.services; the clock is read here."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1800, time_limit=1860)
def close_invoices_task(*, run_date: str | None = None, **kwargs: object) -> int:
    """Beat, daily after midnight: the closing run for yesterday (a day closes once it is over).

    Safe to repeat: a date already closed creates nothing. Returns the number of invoices created.
    """
    from datetime import date

    from billing import services

    now = timezone.now()
    day = date.fromisoformat(run_date) if run_date else timezone.localdate(now) - timedelta(days=1)
    return len(services.close_invoices(run_date=day, now=now).created)
