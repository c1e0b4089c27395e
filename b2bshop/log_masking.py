"""A logging filter that masks e-mail addresses and phone numbers in every log line (APPI).

Logs travel further than the database (aggregators, support tickets); they keep enough to tell
records apart — the first character and the domain of an address, the last four digits of a
number — and no more. Pure Python: no Django, so any handler can use it.
"""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+\-]*@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})")
# Japanese numbers: 03-1234-5678, 090-1234-5678, +81-90-1234-5678, 0312345678 (10-11 digits from 0).
PHONE = re.compile(
    r"(?<![\w-])(?:\+81[- ]?\d{1,4}[- ]?\d{1,4}[- ]?\d{3,4}|0\d{1,4}-\d{1,4}-\d{3,4}|0\d{9,10})(?![\w-])"
)


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits_seen = 0
    masked = []
    for char in reversed(text):
        if char.isdigit():
            digits_seen += 1
            masked.append(char if digits_seen <= 4 else "*")
        else:
            masked.append(char)
    return "".join(reversed(masked))


def mask(text: str) -> str:
    """The text with addresses as t***@example.jp and phone numbers as ***-****-5678."""
    return PHONE.sub(_mask_phone, EMAIL.sub(r"\1***@\2", text))


class MaskPersonalData(logging.Filter):
    """Rewrites the record's message (arguments merged in) with personal data masked; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
