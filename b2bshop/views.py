"""Project-level views: health check, the JSON 404 under /api/, and the buyer-only page guard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from b2bshop.errors import NotFound

View = Callable[..., HttpResponse]


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down" for a health probe
        return False


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return "ok" if client.ping() else "down"
    except redis.RedisError:
        return "down"


def healthz(request: HttpRequest) -> JsonResponse:
    """200 with database and broker status; 503 when the database is down (the shop cannot take orders)."""
    database = "ok" if _database_ok() else "down"
    broker = _broker_status()
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "down", "database": database, "broker": broker}, status=status
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address no view matches: the contract's JSON error under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        from b2bshop.api import error_body

        return JsonResponse(error_body("not_found", _("Not found."), {}), status=404)
    return defaults.page_not_found(request, exception)


def buyer_required(view: View) -> View:
    """Logged-in buyers only; staff and integration users have no cart (404, not 403)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_buyer", False):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound:  # another company's order or template: 404, never 403
            raise Http404 from None

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
