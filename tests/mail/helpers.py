"""Send what the e-mail outbox holds, in-process, so tests read it from Django's test outbox."""

from __future__ import annotations

from django.utils import timezone

from mail import services
from mail.models import OutgoingEmail


def deliver_queued_emails() -> list[str]:
    """Deliver every pending outbox row now (as the worker would); returns the outcomes."""
    ids = (
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [services.deliver_email(outbox_id=outbox_id, now=timezone.now()) for outbox_id in list(ids)]
