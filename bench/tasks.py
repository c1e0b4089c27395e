"""Bench-only Celery task: the no-op whose drain rate is the ceiling for any task (ERP push baseline)."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def noop_task(**kwargs: object) -> None:
    """Do nothing, through the same broker, serializer and acks_late settings as the ERP push."""
