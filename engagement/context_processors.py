"""The storefront banner: a buyer whose company got a reorder reminder this week sees it on every page."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from engagement.models import ReminderDigest
from engagement.selectors import latest_digest_for

BANNER_DAYS = 7


def reorder_banner(request: HttpRequest) -> dict[str, object]:
    """Lazy: the query runs only when a page renders the banner."""

    def load() -> ReminderDigest | None:
        user = getattr(request, "user", None)
        customer_id = getattr(user, "customer_id", None)
        if not customer_id or not getattr(user, "is_authenticated", False):
            return None
        return latest_digest_for(
            customer_id=customer_id, since=timezone.localdate() - timedelta(days=BANNER_DAYS)
        )

    return {"reorder_digest": SimpleLazyObject(load)}
