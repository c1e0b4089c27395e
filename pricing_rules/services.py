"""Writes for trading rules: every create/update/delete goes through here and leaves a RuleChange.

A stored ``Rule`` row and the pure ``engine.Rule`` are converted through the rules-file JSON
(``pricing_rules.rules_file``), so the admin form, ``load_rules`` and the engine
validate a rule the same way and cannot disagree about what it means.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from b2bshop.errors import ValidationFailed
from customers.models import User
from pricing_rules import engine, rules_file
from pricing_rules.models import Rule, RuleChange

__all__ = [
    "LoadResult",
    "delete_rule",
    "engine_rule",
    "replace_rules",
    "row_fields",
    "rule_document",
    "save_rule",
]

_MAX_MONEY = Decimal("999999999999")  # fits max_digits=14 with two decimals


class RuleRejected(ValidationFailed):
    """A rule (or a rules file) does not validate; the message names the rule and the field."""

    code = "invalid_rule"


def rule_document(row: Rule) -> dict[str, Any]:
    """The contract JSON (rules file, section 6) of a stored rule, its scope as stored; also what the history keeps."""
    return rules_file.rule_document(row, scope=row.scope or {})


def engine_rule(row: Rule) -> engine.Rule:
    """The engine's view of a stored rule. Raises ``rules_file.RuleFormatError`` for a corrupt row."""
    return rules_file.rule_from_dict(rule_document(row))


def _check_storable(rule: engine.Rule) -> None:
    # What the engine accepts but the table cannot hold: say so instead of truncating.
    try:
        validate_slug(rule.code)
    except ValidationError:
        raise rules_file.RuleFormatError(
            f"rule {rule.code!r}: code may contain only letters, digits, '-' and '_'"
        ) from None
    if len(rule.code) > 64:
        raise rules_file.RuleFormatError(f"rule {rule.code!r}: code is longer than 64 characters")
    for name in engine.MONEY_FIELDS:
        value = getattr(rule, name)
        if value is not None and value > _MAX_MONEY:
            raise rules_file.RuleFormatError(f"rule {rule.code!r}: {name} is too large")
    if rule.quantity is not None and rule.quantity > 2_147_483_647:
        raise rules_file.RuleFormatError(f"rule {rule.code!r}: quantity is too large")


def row_fields(rule: engine.Rule) -> dict[str, Any]:
    """Model field values for an engine rule (the inverse of ``engine_rule``)."""
    return {
        "code": rule.code,
        "kind": rule.kind,
        "quantity": rule.quantity,
        "use_case_quantity": rule.use_case_quantity,
        "amount": rule.amount,
        "below": rule.below,
        "fee": rule.fee,
        "free_from": rule.free_from,
        "tax_rate": rule.tax_rate,
        "scope": rules_file.scope_to_dict(rule.scope),
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "active": rule.active,
        "priority": rule.priority,
        "description": rule.description,
    }


def parse_rule(data: Mapping[str, Any]) -> engine.Rule:
    """Validate one rule document exactly as ``load_rules`` does. Raises ``rules_file.RuleFormatError``."""
    rule = rules_file.rule_from_dict(dict(data))
    _check_storable(rule)
    return rule


def _record(*, code: str, action: str, before: Any, after: Any, actor: User | None, source: str) -> None:
    RuleChange.objects.create(
        rule_code=code, action=action, before=before, after=after, changed_by=actor, source=source
    )


def save_rule(*, row: Rule, actor: User | None, source: str = "admin") -> Rule:
    """Create or update ``row`` (already holding the new values) and record the change.

    The row is validated through the engine first; raises ``RuleRejected`` with the engine's
    message. The before-image is read from the database under a row lock so two admins editing
    at once each get an honest history entry.
    """
    try:
        rule = parse_rule(rule_document(row))
    except rules_file.RuleFormatError as exc:
        raise RuleRejected(str(exc)) from None
    for name, value in row_fields(rule).items():
        setattr(row, name, value)
    with transaction.atomic():
        before = None
        if row.pk is not None:
            old = Rule.objects.select_for_update().filter(pk=row.pk).first()
            before = rule_document(old) if old is not None else None
        row.save()
        after = rule_document(row)
        if before != after:
            _record(
                code=row.code,
                action="created" if before is None else "updated",
                before=before,
                after=after,
                actor=actor,
                source=source,
            )
    return row


def delete_rule(*, row: Rule, actor: User | None, source: str = "admin") -> None:
    """Delete a rule and keep its last state in the history."""
    with transaction.atomic():
        before = rule_document(row)
        row.delete()
        _record(code=before["code"], action="deleted", before=before, after=None, actor=actor, source=source)


@dataclass(frozen=True, slots=True)
class LoadResult:
    created: int
    updated: int
    deleted: int
    unchanged: int


def read_rules_file(*, text: str) -> tuple[engine.Rule, ...]:
    """Parse and validate a whole rules file. Raises ``RuleRejected`` with one clear line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleRejected(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    try:
        rules = rules_file.rules_from_dict(data)
        for index, rule in enumerate(rules):
            try:
                _check_storable(rule)
            except rules_file.RuleFormatError as exc:
                raise rules_file.RuleFormatError(f"rules[{index}]: {exc}") from None
    except rules_file.RuleFormatError as exc:
        raise RuleRejected(str(exc)) from None
    return rules


def replace_rules(
    *, rules: tuple[engine.Rule, ...], actor: User | None, source: str = "load_rules"
) -> LoadResult:
    """Make the stored rules exactly ``rules`` (all-or-nothing), recording each real change."""
    created = updated = deleted = unchanged = 0
    wanted = {rule.code for rule in rules}
    with transaction.atomic():
        existing = {row.code: row for row in Rule.objects.select_for_update().order_by("id")}
        for code, stale in existing.items():
            if code not in wanted:
                delete_rule(row=stale, actor=actor, source=source)
                deleted += 1
        for position, rule in enumerate(rules):
            row = existing.get(rule.code)
            before = rule_document(row) if row is not None else None
            if row is None:
                row = Rule()
            for name, value in row_fields(rule).items():
                setattr(row, name, value)
            row.position = position
            if before == rule_document(row):
                unchanged += 1
                Rule.objects.filter(pk=row.pk).update(position=position)  # file order only, not a rule change
                continue
            row.save()
            _record(
                code=row.code,
                action="created" if before is None else "updated",
                before=before,
                after=rule_document(row),
                actor=actor,
                source=source,
            )
            if before is None:
                created += 1
            else:
                updated += 1
    return LoadResult(created=created, updated=updated, deleted=deleted, unchanged=unchanged)
