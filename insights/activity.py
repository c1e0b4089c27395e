"""Recording what buyers do on the storefront, cheaply: Redis buffer → one bulk INSERT per batch.

A buyer's request pays one Redis RPUSH after its response is built, no SQL statement; if Redis
is slow or down the event is dropped (logged), never the request. The beat task
``flush_web_events_task`` moves the buffer into ``WebEvent`` with one INSERT per batch, and
``purge_web_events_task`` deletes events older than ``INSIGHTS_WEB_HISTORY_DAYS``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from insights.models import WebEvent

logger = logging.getLogger(__name__)

BUFFER_KEY = "insights:web-events"

SEARCH_VIEWS = {"catalog:product_list": "q", "catalog:category": "q", "store-products": "search"}
PRODUCT_VIEWS = {"catalog:product_detail"}
CART_VIEWS = {
    "orders:cart_add",
    "orders:cart_line",
    "orders:quick_order",
    "orders:template_add",
    "orders:reorder",
    "store-cart",
    "store-cart-item",
    "store-reorder",
}

_client: redis.Redis | None = None


def _redis() -> redis.Redis | None:
    global _client  # one connection pool per process
    if not settings.REDIS_URL:
        return None
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=settings.INSIGHTS_REDIS_TIMEOUT,
            socket_connect_timeout=settings.INSIGHTS_REDIS_TIMEOUT,
        )
    return _client


def record(*, customer_id: int, user_id: int, kind: str, detail: str, at: datetime) -> None:
    """Buffer one event. Never raises: losing an event is better than slowing or failing a buyer."""
    client = _redis()
    if client is None:
        return
    payload = json.dumps([customer_id, user_id, kind, detail[:200], at.isoformat()], ensure_ascii=False)
    try:
        client.rpush(BUFFER_KEY, payload)
    except redis.RedisError as exc:
        logger.warning("web event dropped: %s", exc)


def _event_for(request: HttpRequest) -> tuple[str, str] | None:
    match = request.resolver_match
    if match is None:
        return None
    name = match.view_name
    if request.method == "GET":
        param = SEARCH_VIEWS.get(name)
        query = request.GET.get(param, "").strip() if param else ""
        if query:
            return WebEvent.Kind.SEARCH, query
        if name in PRODUCT_VIEWS:
            return WebEvent.Kind.VIEW, str(match.kwargs.get("sku", ""))
        return None
    if request.method in ("POST", "PUT", "DELETE") and name in CART_VIEWS:
        return WebEvent.Kind.CART, str(match.kwargs.get("sku", ""))
    return None


class WebActivityMiddleware:
    """Buffers searches, product views and cart changes of buyers (users with a company)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400:
            user: Any = getattr(request, "user", None)
            customer_id = getattr(user, "customer_id", None) if user is not None else None
            if customer_id and user.is_authenticated:
                event = _event_for(request)
                if event is not None:
                    kind, detail = event
                    record(
                        customer_id=customer_id, user_id=user.pk, kind=kind, detail=detail, at=timezone.now()
                    )
        return response


def _on_login(sender: object, request: HttpRequest, user: Any, **kwargs: object) -> None:
    if getattr(user, "customer_id", None):
        record(
            customer_id=user.customer_id,
            user_id=user.pk,
            kind=WebEvent.Kind.LOGIN,
            detail="",
            at=timezone.now(),
        )


def connect_login_recording() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="insights-record-login")


# ----------------------------------------------------------------------------- flush and retention


def flush_web_events(*, batch: int | None = None) -> int:
    """Move the buffered events into the table, one INSERT per ``batch`` events. Returns how many.

    LRANGE + LTRIM run atomically (MULTI), so two flushers never take the same events; if the
    INSERT fails the taken events are pushed back and the error is raised.
    """
    client = _redis()
    if client is None:
        return 0
    batch = batch or settings.INSIGHTS_WEB_FLUSH_BATCH
    moved = 0
    while True:
        pipe = client.pipeline(transaction=True)
        pipe.lrange(BUFFER_KEY, 0, batch - 1)
        pipe.ltrim(BUFFER_KEY, batch, -1)
        items, _ok = pipe.execute()
        if not items:
            return moved
        events = []
        for raw in items:
            try:
                customer_id, user_id, kind, detail, at = json.loads(raw)
                events.append(
                    WebEvent(
                        customer_id=customer_id,
                        user_id=user_id,
                        kind=kind,
                        detail=detail,
                        at=datetime.fromisoformat(at),
                    )
                )
            except (ValueError, TypeError):
                logger.warning("malformed web event skipped: %r", raw[:200])
        try:
            with transaction.atomic():
                WebEvent.objects.bulk_create(events, batch_size=batch)
        except Exception:
            client.rpush(BUFFER_KEY, *items)
            raise
        moved += len(events)
        if len(items) < batch:
            return moved


def purge_web_events(*, now: datetime, days: int | None = None) -> int:
    """Delete events older than the retention limit (one DELETE). Returns how many."""
    days = settings.INSIGHTS_WEB_HISTORY_DAYS if days is None else days
    deleted, _ = WebEvent.objects.filter(at__lt=now - timedelta(days=days)).delete()
    return deleted
