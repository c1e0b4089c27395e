"""Reads over the send log that other apps need (what was sent to whom, and when)."""

from __future__ import annotations

from mail.models import Suppression


def list_suppressed_emails(*, emails: list[str]) -> set[str]:
    """Which of `emails` (any case) must not be mailed; answers in lower case."""
    wanted = {e.strip().lower() for e in emails if e}
    return set(Suppression.objects.filter(email__in=wanted).values_list("email", flat=True))
