"""Domain errors. Each has a stable `code`; the API maps them to 4xx bodies, the UI to messages."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base of every expected, user-facing failure of a service."""

    code = "error"
    status_code = 400

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
