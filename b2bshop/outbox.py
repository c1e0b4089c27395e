"""The sweep and staff-retry halves shared by every transactional outbox (ERP pushes, e-mails).

Each outbox model has `status` (pending/failed/...), `attempts`, `next_attempt_at`, `created_at`
and `updated_at`; its app supplies `schedule(outbox_id=..., countdown=...) -> bool`, which
publishes one row to the broker and answers False when the broker is down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q

Schedule = Callable[..., bool]


def due_ids(*, model: Any, now: datetime, grace_seconds: float, limit: int) -> list[int]:
    """Pending rows to (re)send: due retries, expired leases, never-tried rows past the grace."""
    grace = now - timedelta(seconds=grace_seconds)
    return list(
        model.objects.filter(status=model.Status.PENDING)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=grace))
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def publish(*, ids: Iterable[int], schedule: Schedule) -> int:
    """Publish each row now; stop at the first broker failure (the next sweep tries again)."""
    published = 0
    for outbox_id in ids:
        if not schedule(outbox_id=outbox_id, countdown=0):
            break
        published += 1
    return published


def retry_failed(*, model: Any, outbox_ids: Iterable[int], now: datetime, schedule: Schedule) -> int:
    """Staff retry: failed rows go back to pending with a fresh attempt budget, published on commit."""
    with transaction.atomic():
        ids = list(
            model.objects.select_for_update()
            .filter(pk__in=list(outbox_ids), status=model.Status.FAILED)
            .order_by("pk")
            .values_list("id", flat=True)
        )
        model.objects.filter(pk__in=ids).update(
            status=model.Status.PENDING, attempts=0, next_attempt_at=None, updated_at=now
        )
        for outbox_id in ids:
            transaction.on_commit(partial(schedule, outbox_id=outbox_id, countdown=0), robust=True)
    return len(ids)
