"""Project-level views: health check."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


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
