"""The e-mail outbox: enqueue inside the cause's transaction, deliver from a Celery worker.

Same shape as the ERP push outbox (orders/outbox.py):
  1. `enqueue_email` renders the message from templates in the recipient's language and writes
     the row in the caller's transaction; the Celery task is only a fast path published on commit;
  2. `deliver_email` claims the row (SKIP LOCKED, attempt counted, lease set) and commits, sends
     with no lock held, then records the outcome guarded by the claimed attempt number;
  3. `sweep_emails` (beat, every minute) re-publishes rows whose task was lost or killed.
A worker killed mid-send leaves the row pending; the sweep sends it once the lease runs out. The
Message-ID is fixed per row, so a receiving server sees a resend as the same message.

Secret links (password reset, invitation) never rest in the outbox: the row holds
`LINK_PLACEHOLDER` and a reference (`ref`), and the app that owns the link registers a renderer
(`register_link_renderer`) that makes the link at send time. The send log (which staff read and
preview in admin) therefore holds no live token, and a link that was used or revoked before the
worker got to it is not sent at all.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from b2bshop import outbox
from b2bshop.hot_sql import insert_rows
from mail.models import OutgoingEmail, Suppression

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
LINK_PLACEHOLDER = "@@link@@"
"""Put this in a template's context instead of a secret link; `deliver_email` replaces it."""
_LINK_RENDERERS: dict[str, Callable[[str, datetime], str | None]] = {}


def register_link_renderer(*, kind: str, render: Callable[[str, datetime], str | None]) -> None:
    """`render(ref, now)` returns the live link for an e-mail of `kind`, or None when it is no longer valid."""
    _LINK_RENDERERS[kind] = render


def _with_links(email: OutgoingEmail, *, now: datetime) -> tuple[str, str] | None:
    """(text, html) with the secret link filled in; None when the link cannot be made any more."""
    if LINK_PLACEHOLDER not in email.body_text and LINK_PLACEHOLDER not in email.body_html:
        return email.body_text, email.body_html
    render = _LINK_RENDERERS.get(email.kind)
    link = render(email.ref, now) if render else None
    if not link:
        return None
    return email.body_text.replace(LINK_PLACEHOLDER, link), email.body_html.replace(LINK_PLACEHOLDER, link)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_email(*, template: str, context: Mapping[str, Any], language: str) -> Rendered:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` in `language`."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", dict(context)).split())
        text = render_to_string(f"{template}.txt", dict(context))
        html = render_to_string(f"{template}.html", dict(context))
    return Rendered(subject=subject[:300], text=text, html=html)


def language_for(user: Any) -> str:
    """The user's chosen language if the shop offers it, else the default (Japanese)."""
    chosen = getattr(user, "preferred_language", "") or ""
    offered = {code for code, _ in settings.LANGUAGES}
    return chosen if chosen in offered else settings.LANGUAGE_CODE


def is_suppressed(*, email: str) -> bool:
    return Suppression.objects.filter(email=email.strip().lower()).exists()


def enqueue_email(
    *,
    kind: str,
    template: str,
    context: Mapping[str, Any],
    to: str,
    language: str,
    reason: str,
    now: datetime,
    recipient_id: int | None = None,
    ref: str = "",
    headers: Mapping[str, str] | None = None,
    dedupe_key: str | None = None,
    schedule: bool = True,
) -> OutgoingEmail:
    """Record one e-mail to send; call inside the transaction of its cause.

    With `dedupe_key`, a second call for the same key returns the first row and adds nothing
    (the unique constraint holds even for concurrent callers). One INSERT without it: a suppressed
    (bounced) address is caught at delivery, where the row becomes `suppressed`.
    """
    if dedupe_key and (existing := OutgoingEmail.objects.filter(dedupe_key=dedupe_key).first()):
        return existing
    rendered = render_email(template=template, context=context, language=language)
    email = OutgoingEmail(
        kind=kind,
        reason=reason[:300],
        ref=ref[:64],
        dedupe_key=dedupe_key,
        recipient_id=recipient_id,
        to_email=to,
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=dict(headers or {}),
        created_at=now,
    )
    insert_rows([email])  # one per order: hand-built, the ORM's INSERT compile cost more
    email_id = email.id
    if schedule:  # False: the caller publishes it with others after commit
        transaction.on_commit(lambda: _schedule(outbox_id=email_id, countdown=0), robust=True)
    return email


def _schedule(*, outbox_id: int, countdown: float) -> bool:
    """Publish one send task. Never raises: a lost message is what the sweep is for."""
    from mail.tasks import send_email_task

    try:
        send_email_task.apply_async(kwargs={"outbox_id": outbox_id}, countdown=max(countdown, 0), retry=False)
    except Exception:  # any broker error; the row stays pending for the sweep
        logger.warning("could not enqueue e-mail %s; the sweep will send it", outbox_id, exc_info=True)
        return False
    return True


def _backoff_seconds(*, attempt: int) -> float:
    """Exponential backoff with equal jitter, as for the ERP push."""
    delay = min(
        settings.MAIL_RETRY_MAX_SECONDS, settings.MAIL_RETRY_BASE_SECONDS * (2 ** max(attempt - 1, 0))
    )
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


def message_id(email: OutgoingEmail) -> str:
    """A Message-ID fixed per row, so a resend after a killed worker is the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "b2bshop.local"
    return f"<outbox-{email.id}@{domain}>"


# One statement locks the row (SKIP LOCKED), re-checks that it is pending and due, counts the
# attempt and sets the lease; no transaction of our own, so the lock lasts this statement only.
_CLAIM_SQL = """
UPDATE mail_outgoingemail AS e
SET attempts = e.attempts + 1, next_attempt_at = %(lease_until)s, updated_at = %(updated_at)s
FROM (
    SELECT id FROM mail_outgoingemail
    WHERE id = %(id)s AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
    FOR UPDATE SKIP LOCKED
) AS due
WHERE e.id = due.id
RETURNING e.*
"""


# The SQLite demo: one writer at a time and no row locks, so the plain conditional UPDATE.
_CLAIM_ONE_SQL = """
UPDATE mail_outgoingemail
SET attempts = attempts + 1, next_attempt_at = %(lease_until)s, updated_at = %(updated_at)s
WHERE id = %(id)s AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
RETURNING *
"""


def _claim(*, outbox_id: int, now: datetime) -> OutgoingEmail | None:
    """Lease one pending, due e-mail and count the attempt; None when it is not to be sent now."""
    claimed = OutgoingEmail.objects.raw(
        _CLAIM_SQL if connection.vendor == "postgresql" else _CLAIM_ONE_SQL,
        {
            "id": outbox_id,
            "now": now,
            "lease_until": now + timedelta(seconds=settings.MAIL_SEND_LEASE_SECONDS),
            "updated_at": timezone.now(),  # auto_now, as save() wrote it
        },
    )
    return next(iter(claimed), None)


def deliver_email(*, outbox_id: int, now: datetime) -> str:
    """Try to send one pending e-mail once; returns `sent`, `retry`, `failed` or `skipped`.

    Safe to call any number of times from anywhere; never holds a row lock while talking SMTP.
    """
    email = _claim(outbox_id=outbox_id, now=now)
    if email is None:
        return "skipped"
    if is_suppressed(email=email.to_email):
        # Not an attempt: give back the one the claim counted, and never send it.
        OutgoingEmail.objects.filter(
            pk=outbox_id, status=OutgoingEmail.Status.PENDING, attempts=email.attempts
        ).update(
            status=OutgoingEmail.Status.SUPPRESSED,
            attempts=F("attempts") - 1,
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
        return "skipped"
    # The claim is committed: no lock is held while the mail server answers.
    bodies = _with_links(email, now=now)
    if bodies is None:  # used, revoked or expired before it could be sent: sending it would only confuse
        OutgoingEmail.objects.filter(
            pk=outbox_id, status=OutgoingEmail.Status.PENDING, attempts=email.attempts
        ).update(
            status=OutgoingEmail.Status.FAILED,
            next_attempt_at=None,
            last_error="link no longer valid (used, revoked or expired)",
            updated_at=now,
        )
        return "failed"
    body_text, body_html = bodies
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={**email.headers, "Message-ID": message_id(email)},
    )
    if body_html:
        message.attach_alternative(body_html, "text/html")
    fields: dict[str, object] = {"updated_at": now}
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP errors, refused connections, timeouts: all retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= settings.MAIL_MAX_ATTEMPTS:
            outcome = "failed"
            fields.update(status=OutgoingEmail.Status.FAILED, next_attempt_at=None, last_error=error)
        else:
            outcome = "retry"
            delay = _backoff_seconds(attempt=email.attempts)
            fields.update(next_attempt_at=now + timedelta(seconds=delay), last_error=error)
    else:
        outcome = "sent"
        fields.update(status=OutgoingEmail.Status.SENT, sent_at=now, next_attempt_at=None, last_error="")
    OutgoingEmail.objects.filter(
        pk=outbox_id, status=OutgoingEmail.Status.PENDING, attempts=email.attempts
    ).update(**fields)
    if outcome == "retry":
        _schedule(outbox_id=outbox_id, countdown=(fields["next_attempt_at"] - now).total_seconds())  # type: ignore[operator]  # next_attempt_at is a datetime on a retry
    logger.info("e-mail %s (%s) attempt %s: %s", outbox_id, email.kind, email.attempts, outcome)
    return outcome


def due_email_ids(*, now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending e-mails to (re)send: due retries, expired leases, never-tried rows past the grace."""
    return outbox.due_ids(
        model=OutgoingEmail, now=now, grace_seconds=settings.MAIL_SWEEP_GRACE_SECONDS, limit=limit
    )


def sweep_emails(*, now: datetime) -> int:
    """Re-publish what the fast path missed. Returns how many were published."""
    return outbox.publish(ids=due_email_ids(now=now), schedule=_schedule)


def retry_failed_emails(*, outbox_ids: Iterable[int], now: datetime) -> int:
    """Staff retry: failed rows go back to pending with a fresh attempt budget."""
    return outbox.retry_failed(model=OutgoingEmail, outbox_ids=outbox_ids, now=now, schedule=_schedule)


def record_bounce(*, email: str, now: datetime, detail: str = "") -> int:
    """A hard bounce: suppress the address and mark what was sent to it since as bounced.

    Later e-mails to it are logged as `suppressed` and never sent. Returns the rows marked.
    """
    address = email.strip().lower()
    with transaction.atomic():
        Suppression.objects.get_or_create(
            email=address, defaults={"reason": (detail or "bounced")[:300], "created_at": now}
        )
        latest = (
            OutgoingEmail.objects.filter(to_email__iexact=address, status=OutgoingEmail.Status.SENT)
            .order_by("-sent_at", "-id")
            .values_list("id", flat=True)[:1]
        )
        marked = OutgoingEmail.objects.filter(pk__in=list(latest)).update(
            status=OutgoingEmail.Status.BOUNCED, last_error=(detail or "bounced")[:2000], updated_at=now
        )
        OutgoingEmail.objects.filter(to_email__iexact=address, status=OutgoingEmail.Status.PENDING).update(
            status=OutgoingEmail.Status.SUPPRESSED, next_attempt_at=None, updated_at=now
        )
    return marked


ERASED_ADDRESS = "erased@erased.invalid"


def erase_address(*, email: str) -> int:
    """Forget what the send log holds about `email` (an erasure request): address, subject and bodies.

    The rows stay (counts, kinds and timing remain true); one not sent yet never will be.
    Returns how many rows changed.
    """
    if not email:
        return 0
    rows = OutgoingEmail.objects.filter(to_email__iexact=email)
    rows.filter(status=OutgoingEmail.Status.PENDING).update(
        status=OutgoingEmail.Status.SUPPRESSED, next_attempt_at=None
    )
    return rows.update(to_email=ERASED_ADDRESS, subject="", body_text="", body_html="", headers={})
