"""Bearer-token authentication and the typed signed-in user (the API audiences: b2bshop.api_views)."""

from __future__ import annotations

import logging
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from customers import selectors, services
from customers.models import User

logger = logging.getLogger(__name__)


class EmailBackend(ModelBackend):
    """Django's model backend, loading the buyer's company (and its price group) with the user."""

    def get_user(self, user_id: Any) -> Any:
        user = selectors.user_with_company(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def user_model_class() -> Any:
        from django.contrib.auth import get_user_model

        return get_user_model()


# Failed bearer tokens count against this name per client address (django-axes, username + IP): an
# address that keeps guessing tokens is locked out for the cool-off, like a password guesser.
TOKEN_CREDENTIALS = {"username": "<api token>"}


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """The login name axes counts failures against: trimmed and case-folded, so "A@x.jp" = "a@x.jp"."""
    if credentials:
        raw = credentials.get("username") or credentials.get("email") or ""
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get("username", "") if hasattr(data, "get") else ""
    return str(raw).strip().casefold()


def _failure_key(request: HttpRequest) -> str:
    return f"token-failures:{get_client_ip_address(request)}"


def _had_token_failures(request: HttpRequest) -> bool:
    """A cache flag, so a good token costs no lockout query unless its address recently sent bad ones."""
    try:
        return caches["throttle"].get(_failure_key(request)) is not None
    except Exception:  # cache down: ask axes (one query) rather than skip the check
        return True


def _note_token_failure(request: HttpRequest) -> None:
    from django.conf import settings

    try:
        caches["throttle"].set(_failure_key(request), 1, timeout=settings.AXES_COOLOFF_TIME.total_seconds())
    except Exception:  # the flag only saves a query; axes still records the failure
        logger.warning("token failure flag not cached", exc_info=True)


class TokenLockedOut(exceptions.Throttled):
    """Too many bad tokens from this address: 429 with Retry-After until the cool-off ends."""

    default_code = "locked_out"

    def __init__(self) -> None:
        from django.conf import settings

        super().__init__(
            wait=settings.AXES_COOLOFF_TIME.total_seconds(),
            detail=_("Too many failed attempts. Please try again later."),
        )


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Accepts `Authorization: Bearer <token>` or `Token <token>` (contract section 2).

    Bad tokens are counted per client address by django-axes; a locked-out address gets 429.
    """

    keywords = ("bearer", "token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        http_request = getattr(request, "_request", request)
        if _had_token_failures(http_request) and AxesProxyHandler.is_locked(http_request, TOKEN_CREDENTIALS):
            raise TokenLockedOut()
        token = services.authenticate_api_token(raw=raw)
        if token is None:
            _note_token_failure(http_request)
            user_login_failed.send(sender=type(self), credentials=TOKEN_CREDENTIALS, request=http_request)
            if getattr(http_request, "axes_locked_out", False):
                raise TokenLockedOut()
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


def signed_in_user(request: HttpRequest | Request) -> User:
    """The user of a view only signed-in users reach (login_required, IsBuyer, staff admin).

    One typed place instead of a cast per view: request.user is typed as "User or AnonymousUser".
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
