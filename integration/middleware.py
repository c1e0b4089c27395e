"""Log every call to /api/v1/erp/ with who made it, what it asked and what it got."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

ERP_PREFIX = "/api/v1/erp/"


class ErpCallLogMiddleware:
    """Runs after DRF authenticated the request: DRF copies its user and token onto the Django request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(ERP_PREFIX):
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        try:
            self._log(request, response, int((time.monotonic() - started) * 1000))
        except Exception:  # the audit log must never turn a good answer into a 500
            logger.exception("could not write the ERP API call log")
        return response

    def _log(self, request: HttpRequest, response: HttpResponse, duration_ms: int) -> None:
        from integration.models import ApiCallLog

        user = getattr(request, "user", None)
        token = getattr(request, "auth", None)
        error_code = ""
        if response.status_code >= 400 and not getattr(response, "streaming", False):
            try:
                error_code = str(json.loads(response.content).get("code", ""))[:64]
            except (ValueError, AttributeError, TypeError):
                error_code = ""
        ApiCallLog.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            token_prefix=getattr(token, "prefix", "")[:12],
            method=request.method[:8] if request.method else "",
            path=_storable(request.path)[:500],
            query=_storable(request.META.get("QUERY_STRING", ""))[:500],
            status_code=response.status_code,
            error_code=error_code,
            request_bytes=_content_length(request),
            duration_ms=duration_ms,
            remote_addr=request.META.get("REMOTE_ADDR") or None,
        )


def _content_length(request: HttpRequest) -> int:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isdigit() else 0


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; the log shows it as the escape a caller would have sent.
    return text.replace("\x00", "%00")
