"""Transactional outbox for the ERP order push (contract section 4).

`enqueue_order_push` is called by checkout inside the order's transaction: the OrderPush row
commits with the order or not at all; the Celery task is only a fast path enqueued on commit,
and a beat sweep re-sends pending rows whose task was lost.
"""

from __future__ import annotations

from django.db import transaction

from orders.models import Order, OrderPush


def enqueue_order_push(*, order: Order) -> OrderPush:
    """Record that `order` must reach the ERP; schedule the push after commit."""
    push = OrderPush.objects.create(order=order)

    def _send() -> None:
        from orders.tasks import push_order_task

        push_order_task.delay(outbox_id=push.id)

    transaction.on_commit(_send, robust=True)
    return push
