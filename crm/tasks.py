"""Celery tasks for CRM: thin callers of services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from crm.services import leads, privacy


@shared_task(
    # The name it had under customers/, so messages queued before the move still run.
    name="customers.tasks.import_leads_task",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=3600,
    soft_time_limit=3500,
)
def import_leads_task(*, import_id: int, **kwargs: object) -> None:
    """Run (or resume after a lost worker) a stored lead import; progress is on the LeadImport row."""
    leads.run_lead_import(lead_import_id=import_id, now=timezone.now())


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, time_limit=1800)
def purge_stale_leads_task(**kwargs: object) -> None:
    """Daily: delete lead contacts older than LEAD_RETENTION_DAYS that never became customers."""
    privacy.purge_stale_leads(now=timezone.now(), days=settings.LEAD_RETENTION_DAYS, dry_run=False)
