"""Celery tasks for the ERP integration: thin callers of services; the clock is read here."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from integration import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=330)
def reconcile_erp_task(**kwargs: object) -> None:
    """Beat, daily: record what the ERP and the shop disagree on (integration.services.run_reconciliation)."""
    services.run_reconciliation(now=timezone.now())
