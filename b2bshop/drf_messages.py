"""DRF messages that ship without a Japanese translation; listed so `make messages` extracts them.

Our catalogue (LOCALE_PATHS) takes precedence over DRF's own, so translating them in
locale/ja/terms/security.json makes every API answer Japanese-first, like the rest of the shop.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Datetime value out of range."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("A valid biginteger is required."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("Invalid input."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Integer value too large to convert to float"),
]
