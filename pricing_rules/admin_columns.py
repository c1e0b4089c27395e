"""Admin list columns for money: ¥ with thousands separators through the one ``yen`` filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin

from pricing_rules.templatetags.money_tags import yen


def yen_column(attr: str, description: Any) -> Callable[[Any], str]:
    """A ``list_display`` entry showing ``obj.<attr>`` as ``¥10,548``, sortable by that field."""

    @admin.display(description=description, ordering=attr)
    def column(obj: Any) -> str:
        return yen(getattr(obj, attr))

    column.__name__ = f"{attr}_yen"
    return column
