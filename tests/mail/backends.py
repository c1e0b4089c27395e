"""An e-mail backend for real-worker tests: writes messages to files, can stall the first send."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class FileDropBackend(BaseEmailBackend):
    """Each message becomes MAIL_TEST_DIR/sent-*.eml; with MAIL_TEST_STALL_FIRST the first send hangs."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(os.environ["MAIL_TEST_DIR"])
        entered = folder / "entered"
        if os.environ.get("MAIL_TEST_STALL_FIRST") and not entered.exists():
            entered.write_text("1")
            time.sleep(60)  # the test kills this worker while it is "talking to the mail server"
        for message in email_messages:
            (folder / f"sent-{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


class FailingBackend(BaseEmailBackend):
    """Every send fails the way an unreachable mail server does."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("mail server unreachable")
