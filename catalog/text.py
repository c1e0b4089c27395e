"""Text helpers shared by catalog writes and search: the one search normalisation."""

from __future__ import annotations

import unicodedata

import jaconv


def normalize_search(text: str) -> str:
    """NFKC, lower case, hiragana folded to katakana, spaces collapsed: how both indexed text and queries look."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = jaconv.hira2kata(text)
    return " ".join(text.split())


def product_search_text(*, sku: str, name: str, name_en: str, name_kana: str, jan_code: str) -> str:
    return normalize_search(" ".join(part for part in (sku, name, name_en, name_kana, jan_code) if part))


def jan_check_digit(body: str) -> int:
    """GS1 check digit for the first 12 (JAN-13) or 7 (JAN-8) digits."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_jan(code: str) -> bool:
    return code.isdigit() and len(code) in (8, 13) and jan_check_digit(code[:-1]) == int(code[-1])
