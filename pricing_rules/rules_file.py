"""The rules-file format (contract §6): parse, validate and dump ``{"rules": [...]}``.

Pure like the engine (no Django): ``load_rules`` / ``dump_rules``, the admin form and the
seed data all read and write rules through here, and hand the engine ready ``Rule`` values.
Money is a decimal string (``parse_money``), dates are ISO, ``tax_rate`` may be written
``"10"`` or ``10``; unknown keys are refused rather than silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final, Protocol

from b2bshop.money import money_str, parse_money
from pricing_rules.engine import (
    FEE_KINDS,
    KIND_FIELDS,
    KINDS,
    MONEY_FIELDS,
    SCOPE_KEYS,
    Rule,
    RuleFormatError,
    Scope,
)

__all__ = [
    "RuleFields",
    "RuleFormatError",
    "rule_document",
    "rule_from_dict",
    "rule_to_dict",
    "rules_from_dict",
    "rules_to_dict",
    "scope_from_dict",
    "scope_to_dict",
]

COMMON_FIELDS: Final = frozenset(
    {"code", "kind", "scope", "valid_from", "valid_to", "active", "priority", "description"}
)


def _parse_int(value: object, name: str) -> int:
    # The contract writes tax_rate as "10"; accept digit strings everywhere for symmetry.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise RuleFormatError(f"{name} must be an integer, not {value!r}")


def _parse_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise RuleFormatError(f"{name} must be true or false, not {value!r}")


def _parse_date(value: object, name: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise RuleFormatError(f"{name} must be an ISO date like 2026-11-26, not {value!r}")


def scope_from_dict(data: object) -> Scope:
    """A rule's ``scope`` object; missing or ``null`` means everyone."""
    if data is None:
        return Scope()
    if not isinstance(data, Mapping):
        raise RuleFormatError("scope must be an object")
    unknown = sorted(set(data) - set(SCOPE_KEYS))
    if unknown:
        raise RuleFormatError(
            f"unknown scope key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(SCOPE_KEYS)}"
        )
    values: dict[str, frozenset[str]] = {}
    for key in SCOPE_KEYS:
        raw = data.get(key, [])
        if not isinstance(raw, list | tuple):
            raise RuleFormatError(f"scope.{key} must be a list of codes")
        values[key] = frozenset(raw)  # Scope checks every code is a non-empty string
    return Scope(**values)


def scope_to_dict(scope: Scope) -> dict[str, list[str]]:
    """Non-empty dimensions only, sorted, so dumps are stable and diff well."""
    return {key: sorted(getattr(scope, key)) for key in SCOPE_KEYS if getattr(scope, key)}


def rule_from_dict(data: object) -> Rule:
    """Build one rule from its JSON object. Raises ``RuleFormatError`` naming the rule."""
    if not isinstance(data, Mapping):
        raise RuleFormatError("each rule must be an object")
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise RuleFormatError("rule code must be a non-empty string")
    label = f"rule {code!r}"
    kind = data.get("kind")
    if kind not in KINDS:
        raise RuleFormatError(f"{label}: unknown kind {kind!r}; allowed: {', '.join(sorted(KINDS))}")
    allowed = COMMON_FIELDS | KIND_FIELDS[kind]
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RuleFormatError(
            f"{label}: field(s) {', '.join(map(repr, unknown))} not allowed for kind {kind!r}"
        )
    kwargs: dict[str, Any] = {"code": code, "kind": kind}
    try:
        if "quantity" in data:
            kwargs["quantity"] = _parse_int(data["quantity"], "quantity")
        if "use_case_quantity" in data:
            kwargs["use_case_quantity"] = _parse_bool(data["use_case_quantity"], "use_case_quantity")
        for name in MONEY_FIELDS:
            if name in data:
                kwargs[name] = parse_money(data[name], what=name)
        if "tax_rate" in data:
            kwargs["tax_rate"] = _parse_int(data["tax_rate"], "tax_rate")
        if "scope" in data:
            kwargs["scope"] = scope_from_dict(data["scope"])
        for name in ("valid_from", "valid_to"):
            if data.get(name) is not None:
                kwargs[name] = _parse_date(data[name], name)
        if "active" in data:
            kwargs["active"] = _parse_bool(data["active"], "active")
        if "priority" in data:
            kwargs["priority"] = _parse_int(data["priority"], "priority")
        if "description" in data:
            if not isinstance(data["description"], str):
                raise RuleFormatError("description must be a string")
            kwargs["description"] = data["description"]
    except RuleFormatError as exc:
        if str(exc).startswith("rule "):
            raise
        raise RuleFormatError(f"{label}: {exc}") from None
    except ValueError as exc:
        raise RuleFormatError(f"{label}: {exc}") from None
    return Rule(**kwargs)


class RuleFields(Protocol):
    """What a rule document is written from: an engine ``Rule`` or a stored row (same field names)."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def quantity(self) -> int | None: ...
    @property
    def use_case_quantity(self) -> bool: ...
    @property
    def tax_rate(self) -> int: ...
    @property
    def valid_from(self) -> date | None: ...
    @property
    def valid_to(self) -> date | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def priority(self) -> int: ...
    @property
    def description(self) -> str: ...


def rule_document(rule: RuleFields, *, scope: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's JSON object (contract §6): money as strings, dates ISO, defaults left out.

    The one writer of a rule document. ``scope`` is passed in because its two sources differ on
    purpose: an engine rule's parsed ``Scope`` is dumped normalised (``scope_to_dict``), while a
    stored row's scope JSON is written as stored, because that document is what gets validated
    before saving and what the change history keeps as the before/after image.
    """
    out: dict[str, Any] = {"code": rule.code, "kind": rule.kind}
    if rule.quantity is not None:
        out["quantity"] = rule.quantity
    if rule.use_case_quantity:
        out["use_case_quantity"] = True
    for name in MONEY_FIELDS:
        value = getattr(rule, name)
        if value is not None:
            out[name] = money_str(Decimal(value))
    if rule.kind in FEE_KINDS:
        out["tax_rate"] = str(rule.tax_rate)
    if scope:
        out["scope"] = dict(scope)
    if rule.valid_from is not None:
        out["valid_from"] = rule.valid_from.isoformat()
    if rule.valid_to is not None:
        out["valid_to"] = rule.valid_to.isoformat()
    if not rule.active:
        out["active"] = False
    if rule.priority:
        out["priority"] = rule.priority
    if rule.description:
        out["description"] = rule.description
    return out


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """An engine rule's JSON object, its scope normalised (non-empty dimensions, sorted)."""
    return rule_document(rule, scope=scope_to_dict(rule.scope))


def rules_from_dict(data: object) -> tuple[Rule, ...]:
    """Parse a whole rules file ``{"rules": [...]}``; rule codes must be unique."""
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise RuleFormatError('a rules file must be an object with a "rules" list')
    unknown = sorted(set(data) - {"rules"})
    if unknown:
        raise RuleFormatError(f"unknown top-level key(s) {', '.join(map(repr, unknown))}")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(data["rules"]):
        try:
            rule = rule_from_dict(item)
        except RuleFormatError as exc:
            raise RuleFormatError(f"rules[{index}]: {exc}") from None
        if rule.code in seen:
            raise RuleFormatError(f"rules[{index}]: duplicate rule code {rule.code!r}")
        seen.add(rule.code)
        rules.append(rule)
    return tuple(rules)


def rules_to_dict(rules: Iterable[Rule]) -> dict[str, list[dict[str, Any]]]:
    """The inverse of ``rules_from_dict``."""
    return {"rules": [rule_to_dict(rule) for rule in rules]}
