"""Domain errors. Each has a stable `code`; the API maps them to 4xx bodies, the UI to messages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class ApplicationError(Exception):
    """Base of every expected, user-facing failure of a service.

    The API answers ``{"code", "message", "details"}``. Where the contract also wants a key of
    ``details`` at the top of the body (422 ``violations``, 409 ``lines``, 400 ``errors``), the
    subclass names it in ``top_level``; the one exception handler (b2bshop.api) copies it up, so
    views simply raise.
    """

    code = "error"
    status_code = 400
    top_level: tuple[str, ...] = ()

    def __init__(self, message: str = "", *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class NotFound(ApplicationError):
    code = "not_found"
    status_code = 404


class Conflict(ApplicationError):
    code = "conflict"
    status_code = 409


class ValidationFailed(ApplicationError):
    code = "invalid"
    status_code = 400


class InvalidItems(ValidationFailed):
    """Some items of a batch are invalid and nothing was written: 400 with ``errors`` at the top.

    ``errors`` = [{"index", "sku", "errors": {field: [message]}}] (contract section 3, bulk calls).
    """

    top_level = ("errors",)

    def __init__(self, errors: list[dict[str, Any]], message: str = ""):
        super().__init__(
            message or gettext("Some items are invalid; nothing was written."), details={"errors": errors}
        )
        self.errors = errors
