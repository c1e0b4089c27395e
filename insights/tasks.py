"""Celery tasks of the insights app: thin callers of its services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from insights import activity, services


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def execute_replay_run_task(*, run_id: int, **kwargs: Any) -> None:
    services.execute_replay_run(run_id=run_id, now=timezone.now())


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def flush_web_events_task(**kwargs: Any) -> int:
    return activity.flush_web_events()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=550)
def purge_web_events_task(**kwargs: Any) -> int:
    return activity.purge_web_events(now=timezone.now())
