"""API rate limits (DRF throttling): per bearer token, else per signed-in user, else per address.

One class for every API, so no view can forget it. The scope follows the caller: an ERP integration
user is limited by ``erp``, a buyer by ``store``, an anonymous caller by ``anon``; the rates are in
settings (``API_RATE_*`` environment variables, ``off`` disables one). Counters live in the
``throttle`` cache (Redis when REDIS_URL is set, so every gunicorn worker shares them); if that cache
fails the request is let through rather than refused.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class ApiRateThrottle(SimpleRateThrottle):
    """429 with Retry-After once a caller exceeds its scope's rate."""

    cache = caches["throttle"]
    scope = "anon"

    def allow_request(self, request: Any, view: Any) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.scope = "erp" if getattr(user, "is_integration", False) else "store"
        else:
            self.scope = "anon"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:  # a throttle that is down must not take the API down with it
            logger.warning("API throttle cache unavailable; request allowed", exc_info=True)
            return True

    def get_rate(self) -> str | None:
        # Read at request time (not import time), so a settings change applies at once.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate in (None, "", "off") else str(rate)

    def get_cache_key(self, request: Any, view: Any) -> str:
        token = getattr(request, "auth", None)
        if token is not None and getattr(token, "pk", None) is not None:
            ident = f"token:{token.pk}"  # each ERP/API token has its own budget
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
