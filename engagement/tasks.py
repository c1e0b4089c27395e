"""Celery tasks for engagement: thin callers; the clock is read here."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1800, time_limit=1900)
def send_reminders_task(**kwargs: object) -> None:
    """Beat, daily: queue today's reorder reminders (engagement.services.send_reminders)."""
    from engagement import services

    now = timezone.now()
    services.send_reminders(on=timezone.localdate(now), now=now)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1800, time_limit=1900)
def compute_cross_sell_task(**kwargs: object) -> None:
    """Beat, nightly: rebuild the cross-sell pairs (engagement.cross_sell.compute_cross_sell)."""
    from engagement import cross_sell

    cross_sell.compute_cross_sell(now=timezone.now())
