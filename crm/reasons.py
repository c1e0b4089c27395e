"""Lead-match reasons in words a person reads ("会社名が一致、電話番号も一致").

The matcher (crm.matching) and the importer keep short machine reasons such as
``name+phone``, ``fuzzy(0.82) -domain`` or ``no candidate; new prospect P000123``; this module
turns them into a sentence in the active language when a page or report shows them. A token it
does not know is shown as it is, so a new matcher reason is never hidden.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

_SCORED = re.compile(r"^(fuzzy|core≠|type≠)\((\d(?:\.\d+)?)\)$")
_NAME_TOKENS = frozenset({"name", "kana", "core≠", "type≠", "fuzzy"})


def _name_part(part: str) -> str:
    if part == "name":
        return gettext("company name matches")
    if part == "kana":
        return gettext("company name reading (kana) matches")
    if part in ("core≠", "type≠"):
        return gettext("company names differ in their core")
    if part == "fuzzy":
        return gettext("company name is similar")
    scored = _SCORED.match(part)
    if scored:
        percent = round(float(scored.group(2)) * 100)
        if scored.group(1) == "fuzzy":
            return gettext("company name is %(percent)d%% similar") % {"percent": percent}
        if scored.group(1) == "type≠":
            return gettext("company names differ in the business type (%(percent)d%% similar)") % {
                "percent": percent
            }
        return gettext("company names differ in their core (%(percent)d%% similar)") % {"percent": percent}
    return part


def _evidence(token: str) -> str:
    words = {
        "domain": gettext("e-mail domain matches too"),
        "phone": gettext("phone number matches too"),
        "postal": gettext("postal code matches too"),
        "address": gettext("address matches too"),
        "-domain": gettext("but the e-mail domain differs"),
        "-prefecture": gettext("but the prefecture differs"),
    }
    return words.get(token, token)


def _match_words(text: str) -> list[str]:
    ambiguous = ""
    if " ambiguous with " in text:
        text, ambiguous = text.split(" ambiguous with ", 1)
    tokens = [t for t in re.split(r"\+| (?=-)", text.strip()) if t]
    if not tokens or (tokens[0] not in _NAME_TOKENS and not _SCORED.match(tokens[0])):
        return [text.strip()] if text.strip() else []  # not a matcher reason (e.g. why a row is invalid)
    words = [_name_part(tokens[0]), *(_evidence(t) for t in tokens[1:])]
    if ambiguous:
        words.append(gettext("as similar to %(code)s") % {"code": ambiguous.strip()})
    return words


def describe_reason(reason: str) -> str:
    """The stored reason of a lead row as a sentence in the active language."""
    if not reason:
        return ""
    parts: list[str] = []
    for piece in (p.strip() for p in reason.split(";")):
        if not piece:
            continue
        if piece == "no candidate":
            parts.append(gettext("no similar customer"))
        elif piece.startswith("new prospect"):
            code = piece.removeprefix("new prospect").strip()
            parts.append(
                gettext("new prospect %(code)s created") % {"code": code} if code else gettext("new prospect")
            )
        elif piece.startswith("same company as row "):
            parts.append(
                gettext("same company as row %(row)s") % {"row": piece.removeprefix("same company as row ")}
            )
        else:
            parts.extend(_match_words(piece))
    return gettext(", ").join(parts) if parts else reason
