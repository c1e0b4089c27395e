"""Reads for trading rules."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from pricing_rules import engine, rules_file
from pricing_rules.models import Rule
from pricing_rules.services import engine_rule


def list_rules(*, on: date | None = None) -> tuple[engine.Rule, ...]:
    """Every stored rule as engine rules, in file order; with ``on``, only those valid that day.

    One query. The engine checks validity again, so pre-filtering is only about reading less.
    """
    rows = Rule.objects.all()
    if on is not None:
        rows = rows.filter(active=True).filter(
            (Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        )
    return tuple(engine_rule(row) for row in rows.order_by("position", "code"))


def rules_document() -> dict:
    """The whole rules file (contract section 6), as ``dump_rules`` prints it."""
    return rules_file.rules_to_dict(list_rules())
