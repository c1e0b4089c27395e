"""Celery tasks for orders: thin callers of services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def push_order_task(*, outbox_id: int, **kwargs: object) -> None:
    """Deliver one outbox row to the ERP (see orders.outbox)."""
    from orders import outbox

    deliver = getattr(outbox, "deliver_order_push", None)
    if deliver is not None:
        deliver(outbox_id=outbox_id)
