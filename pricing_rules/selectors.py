"""Reads for trading rules."""

from __future__ import annotations

from datetime import date

from b2bshop.versions import cached
from pricing_rules import engine, rules_file
from pricing_rules.models import Rule
from pricing_rules.services import engine_rule


def _load_rules() -> tuple[engine.Rule, ...]:
    return tuple(engine_rule(row) for row in Rule.objects.order_by("position", "code"))


def list_rules(*, on: date | None = None) -> tuple[engine.Rule, ...]:
    """Every stored rule as engine rules, in file order; with ``on``, only those valid that day.

    Cached per process behind the rule table's version (``b2bshop.versions``): no query while no
    rule changed. The engine checks validity again, so the filter is only about handing it less.
    """
    rules = cached(Rule._meta.db_table, _load_rules)
    if on is None:
        return rules
    return tuple(
        rule
        for rule in rules
        if rule.active
        and (rule.valid_from is None or rule.valid_from <= on)
        and (rule.valid_to is None or rule.valid_to >= on)
    )


def rules_document() -> dict:
    """The whole rules file (contract section 6), as ``dump_rules`` prints it."""
    return rules_file.rules_to_dict(list_rules())
