"""Audit events that are not a model change (django-auditlog's LogEntry, action "access").

Model changes of tracked models (AUDITLOG_INCLUDE_TRACKING_MODELS) are logged by auditlog itself;
this records the events around them: a staff proxy order, an approval, an export or erasure of a
person's data. Who and from where come from the request (b2bshop.middleware.AuditContextMiddleware);
outside a request (a command, a task) pass ``actor``.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db.models import Model


def record_event(
    *, obj: Model, event: str, details: dict[str, Any] | None = None, actor: Any = None
) -> LogEntry:
    """One audit row for `event` on `obj` (e.g. "proxy_order", "approved", "personal_data_export")."""
    data: dict[str, Any] = {"event": event, **(details or {})}
    extra: dict[str, Any] = {}
    if actor is not None and getattr(actor, "pk", None) is not None:
        extra = {"actor": actor, "actor_email": getattr(actor, "email", None)}
    entry = LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes={},
        additional_data=data,
        **extra,
    )
    assert entry is not None  # force_log always writes
    return entry
