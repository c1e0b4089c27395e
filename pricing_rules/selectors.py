"""Reads for trading rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from b2bshop.money import format_yen
from b2bshop.versions import cached
from pricing_rules import engine, rules_file
from pricing_rules.messages import rule_summary
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


ACTION_LABELS = {"created": _("created"), "updated": _("updated"), "deleted": _("deleted")}
_SCOPE_LABELS = {
    "customers": _("customers"),
    "price_groups": _("price groups"),
    "prefectures": _("prefectures"),
    "categories": _("categories"),
    "skus": _("SKUs"),
}


@dataclass(frozen=True, slots=True)
class DiffRow:
    label: Any
    before: str
    after: str


def _text(name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name in engine.MONEY_FIELDS:
        return format_yen(Decimal(str(value)))
    if name == "tax_rate":
        return f"{value}%"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def rule_change_diff(*, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[DiffRow]:
    """What a history entry changed, field by field, in words a person reads (the condition line first).

    Works on the rule documents the history keeps; a created rule has no ``before``, a deleted one no ``after``.
    """
    before, after = before or {}, after or {}
    rows: list[DiffRow] = []
    old_line = rule_summary(before) if before else "—"
    new_line = rule_summary(after) if after else "—"
    if old_line != new_line:
        rows.append(DiffRow(_("condition"), old_line, new_line))
    labels = {field.name: field.verbose_name for field in Rule._meta.fields}
    for name in ("kind", *engine.MONEY_FIELDS, "quantity", "use_case_quantity", "tax_rate"):
        if before.get(name) != after.get(name):
            rows.append(
                DiffRow(labels.get(name, name), _text(name, before.get(name)), _text(name, after.get(name)))
            )
    old_scope, new_scope = before.get("scope") or {}, after.get("scope") or {}
    for key, label in _SCOPE_LABELS.items():
        if sorted(old_scope.get(key, [])) != sorted(new_scope.get(key, [])):
            rows.append(DiffRow(label, _text(key, old_scope.get(key)), _text(key, new_scope.get(key))))
    for name in ("valid_from", "valid_to", "active", "priority", "description"):
        default: Any = True if name == "active" else None
        if before.get(name, default) != after.get(name, default):
            old, new = before.get(name, default), after.get(name, default)
            rows.append(DiffRow(labels.get(name, name), _text(name, old), _text(name, new)))
    return rows
