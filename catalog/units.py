"""Names in the buyer's language: English when the session is English and an English name exists.

Units are a short, fixed vocabulary of Japanese counters, so their English forms live here
rather than in every product row; unknown units are shown as they are.
"""

from __future__ import annotations

from django.utils.translation import get_language

UNIT_EN: dict[str, str] = {
    "個": "pcs",
    "本": "pcs",
    "枚": "sheets",
    "箱": "boxes",
    "ケース": "cases",
    "袋": "bags",
    "冊": "books",
    "巻": "rolls",
    "組": "sets",
    "台": "units",
    "缶": "cans",
    "足": "pairs",
    "双": "pairs",
    "着": "pcs",
    "パック": "packs",
    "セット": "sets",
    "ダース": "dozen",
    "束": "bundles",
    "m": "m",
    "kg": "kg",
    "L": "L",
}


def is_english() -> bool:
    return (get_language() or "ja").startswith("en")


def localized(name: str, name_en: str) -> str:
    """``name_en`` in an English session when there is one, else the Japanese ``name``."""
    return name_en if name_en and is_english() else name


def unit_label(unit: str) -> str:
    """The unit in the active language (個 → pcs in English)."""
    return UNIT_EN.get(unit, unit) if is_english() else unit
