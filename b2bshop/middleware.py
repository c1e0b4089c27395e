"""Refuse requests PostgreSQL could never store: a NUL byte in the path or the query string.

PostgreSQL refuses text containing NUL, so such a lookup used to end in a 500. API paths answer
the contract's JSON error (400); pages answer the ordinary 404. It runs inside the ERP call log
middleware, so the refused call is still logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from auditlog.middleware import AuditlogMiddleware
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def has_nul(request: HttpRequest) -> bool:
    """True if the decoded path or query string holds a NUL byte (or its %00 encoding)."""
    if "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in query or b"\x00" in unquote_to_bytes(query.replace("+", " "))


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_nul(request):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            from b2bshop.api import error_body

            message = _("The address contains a NUL character.")
            return JsonResponse(error_body("malformed", message, {}), status=400)
        raise Http404(_("The address contains a NUL character."))


class IdleSessionTimeoutMiddleware:
    """Log a signed-in user out after SESSION_IDLE_SECONDS without a request.

    The last-seen time is written into the session at most once a minute, so a busy buyer costs
    one session UPDATE a minute rather than one per request (sessions live in PostgreSQL).
    """

    KEY = "_last_seen"
    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = session.get(self.KEY)
            if isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif not isinstance(last_seen, int) or now - last_seen >= self.WRITE_EVERY_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)


def stamp_session_activity(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """user_logged_in receiver: the idle clock starts at login (no extra session write later)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[IdleSessionTimeoutMiddleware.KEY] = int(time.time())


class AuditContextMiddleware(AuditlogMiddleware):
    """django-auditlog's actor and address for every change a request makes.

    The address comes from the same trusted-proxy rule as the login lockout (django-axes/ipware,
    TRUSTED_PROXY_COUNT), not from a client-supplied X-Forwarded-For header as auditlog's default.
    """

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return get_client_ip_address(request)
