"""Celery tasks for orders: thin callers of services; ids in, clock read here."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=90, time_limit=120
)
def push_order_task(*, outbox_id: int, **kwargs: object) -> None:
    """Deliver one outbox row to the ERP (orders.outbox.deliver_order_push); retries re-enqueue themselves."""
    from orders import outbox

    outbox.deliver_order_push(outbox_id=outbox_id, now=timezone.now())


@shared_task(
    acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=150, time_limit=180
)
def order_placed_task(*, push_id: int | None, email_ids: list[int], **kwargs: object) -> None:
    """What a new order sends (orders.outbox.schedule_order_placed): its e-mails, then its ERP push.

    Each delivery is safe to repeat (a redelivered message finds its rows sent) and schedules its
    own retries, exactly as ``send_email_task`` and ``push_order_task`` do.
    """
    from mail import services as mail_services
    from orders import outbox

    for email_id in email_ids:
        mail_services.deliver_email(outbox_id=email_id, now=timezone.now())
    if push_id is not None:
        outbox.deliver_order_push(outbox_id=push_id, now=timezone.now())


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=55)
def sweep_order_pushes_task(**kwargs: object) -> None:
    """Beat, every minute: re-send pending pushes whose task was lost or whose retry is due."""
    from orders import outbox

    outbox.sweep_order_pushes(now=timezone.now())


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=330)
def cancel_expired_approvals_task(**kwargs: object) -> None:
    """Beat, hourly: cancel orders nobody approved within ORDER_APPROVAL_EXPIRY_DAYS (stock released)."""
    from orders.services import approval

    approval.cancel_expired_approvals(now=timezone.now())
