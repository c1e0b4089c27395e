"""The one SKU rule, applied to every write and lookup (single PUT, bulk, stock, prices, services).

Two SKUs that look the same must be the same product, and every stored SKU must be addressable
in a URL. So a SKU is NFKC-normalised (full-width → half-width, NFD → NFC), stripped, cleared of
zero-width and bidi control characters, and then refused if it is empty, too long, `.` or `..`,
or holds whitespace, a control character, or a character that ends a URL path segment.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from b2bshop.errors import ValidationFailed

SKU_MAX_LENGTH = 40
# Zero-width characters and bidi controls: invisible, so two SKUs differing by them look identical.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
FORBIDDEN = re.compile(r"[\s/\\?#%]")


class InvalidSku(ValidationFailed):
    code = "invalid_sku"

    def __init__(self, message: str):
        super().__init__(message, details={"sku": [message]})


def normalize_sku(raw: str) -> str:
    """The canonical form of `raw`; raises `InvalidSku` (a 400) with a user-facing message."""
    sku = INVISIBLE.sub("", unicodedata.normalize("NFKC", raw)).strip()
    if not sku:
        raise InvalidSku(_("Enter a SKU."))
    if len(sku) > SKU_MAX_LENGTH:
        raise InvalidSku(_("A SKU has at most %(max)d characters.") % {"max": SKU_MAX_LENGTH})
    if sku in {".", ".."}:
        raise InvalidSku(_("“.” and “..” cannot be SKUs."))
    if FORBIDDEN.search(sku) or any(unicodedata.category(ch).startswith("C") for ch in sku):
        raise InvalidSku(_("A SKU cannot contain spaces, control characters or any of / \\ ? # %."))
    return sku
