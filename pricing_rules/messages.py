"""Human text for the engine's violation, fee and hint codes, in the active language.

The engine returns stable codes and raw params; this module is the one place that turns them
into sentences that say how to fix the cart ("12個単位でご注文ください (現在 10個)"). msgids are
English; the Japanese catalog (locale/ja) translates them. Call these at request time, with
the buyer's language active.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from b2bshop.money import format_yen
from pricing_rules.engine import Fee, Hint, LineLimits, PricedLine, Violation

__all__ = [
    "LIMIT_CODES",
    "fee_kind_label",
    "fee_message",
    "hint_message",
    "limits_phrase",
    "limits_sentence",
    "line_limits_message",
    "message_for",
    "rule_summary",
    "scope_summary",
    "violation_message",
]

LIMIT_CODES = frozenset({"below_moq", "not_multiple", "above_max"})
"""Violations that one limits sentence replaces (a line never gets three separate messages)."""

_MONEY_KEYS = frozenset(
    {"amount", "below", "credit_available", "excess", "fee", "free_from", "missing", "subtotal", "total"}
)


class _Params(dict[str, Any]):
    """A missing param shows as empty text: a message must never crash a cart page."""

    def __missing__(self, key: str) -> str:
        return ""


def _display(params: Mapping[str, Any], *, money_keys: frozenset[str] = _MONEY_KEYS) -> _Params:
    # Money as "¥2,300", counts with thousands separators, so every language reads them alike.
    shown = _Params()
    for key, value in params.items():
        if value is None:
            shown[key] = ""
        elif key in money_keys and isinstance(value, Decimal | int) and not isinstance(value, bool):
            shown[key] = format_yen(Decimal(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            shown[key] = f"{value:,}"
        else:
            shown[key] = value
    return shown


def _violation_text(code: str, params: Mapping[str, Any]) -> str | None:
    if code == "below_moq":
        return gettext("Please order at least %(required)s %(unit)s (currently %(quantity)s).")
    if code == "not_multiple":
        return gettext("Please order in multiples of %(multiple)s %(unit)s (currently %(quantity)s).")
    if code == "above_max":
        return gettext("Please order at most %(required)s %(unit)s (currently %(quantity)s).")
    if code == "not_available":
        if params.get("reason") == "inactive":
            return gettext("This product is no longer available; please remove it from the cart.")
        if not params.get("available"):
            return gettext("This product is out of stock; please remove it from the cart.")
        return gettext("Only %(available)s %(unit)s in stock (currently %(quantity)s).")
    if code == "below_minimum_amount":
        return gettext(
            "The minimum order amount is %(required)s; please add %(missing)s more (currently %(subtotal)s)."
        )
    if code == "credit_limit":
        return gettext(
            "This order (%(total)s) exceeds your available credit of %(credit_available)s by %(excess)s."
        )
    if code == "ec_disabled":
        return gettext(
            "Online ordering is not enabled for your company; please contact your sales representative."
        )
    if code == "empty_cart":
        return gettext("Your cart is empty.")
    return None


def _hint_text(code: str) -> str | None:
    if code == "small_order_fee_avoidable":
        return gettext("Order %(missing)s more and the %(fee)s small-order fee no longer applies.")
    if code == "free_shipping_reachable":
        return gettext("Order %(missing)s more and the %(fee)s shipping fee becomes free.")
    return None


def _fee_text(kind: str, params: Mapping[str, Any]) -> str | None:
    if kind == "small_order_fee":
        return gettext("Small-order fee (orders under %(below)s)")
    if kind == "shipping":
        if params.get("free_from") is not None:
            return gettext("Shipping fee (free from %(free_from)s)")
        return gettext("Shipping fee")
    return None


def fee_kind_label(kind: str) -> str:
    """The short label of a stored fee (order confirmation, e-mail): no thresholds, which may have changed."""
    if kind == "small_order_fee":
        return gettext("Small-order fee")
    if kind == "shipping":
        return gettext("Shipping fee")
    return kind


def message_for(code: str, params: Mapping[str, Any]) -> str:
    """Text for any violation or hint code; unknown codes get a generic sentence, never an error."""
    template = _violation_text(code, params) or _hint_text(code)
    if template is None:
        return gettext("This order cannot be placed as it is (%(code)s).") % {"code": code}
    # "required" is a quantity for line violations but an amount of money for the minimum order amount.
    money_keys = _MONEY_KEYS | {"required"} if code == "below_minimum_amount" else _MONEY_KEYS
    return template % _display(params, money_keys=money_keys)


def violation_message(violation: Violation) -> str:
    """How to fix this violation, in the active language."""
    return message_for(violation.code, violation.params)


def hint_message(hint: Hint) -> str:
    """How to avoid a fee, in the active language."""
    return message_for(hint.code, hint.params)


def fee_message(fee: Fee) -> str:
    """The fee's label for the cart and the invoice, in the active language."""
    template = _fee_text(fee.kind, fee.params)
    if template is None:
        return fee.kind
    return template % _display(fee.params)


def limits_phrase(limits: LineLimits, unit: str) -> str:
    """Every quantity constraint as one phrase ("121個以上、121個単位"); empty when any quantity goes.

    The minimum shown is the smallest valid quantity (the minimum rounded up to the multiple),
    the maximum the largest valid one, so the phrase never names a number the cart refuses.
    """
    if not limits.orderable:
        return gettext("cannot be ordered at the moment")
    parts: list[str] = []
    smallest = limits.smallest_valid or 1
    if smallest > 1:
        parts.append(gettext("at least %(n)s %(unit)s") % {"n": f"{smallest:,}", "unit": unit})
    if limits.multiple > 1:
        parts.append(gettext("in units of %(n)s %(unit)s") % {"n": f"{limits.multiple:,}", "unit": unit})
    if limits.largest_valid is not None:
        parts.append(gettext("at most %(n)s %(unit)s") % {"n": f"{limits.largest_valid:,}", "unit": unit})
    phrase = parts[0] if parts else ""
    for part in parts[1:]:
        # A template rather than a bare separator: Japanese joins with "、", English with ", ".
        phrase = gettext("%(first)s, %(then)s") % {"first": phrase, "then": part}
    return phrase


def limits_sentence(limits: LineLimits, unit: str) -> str:
    """The one instruction product pages, lists, quick order and the cart show ("ご注文は121個以上、121個単位で")."""
    if not limits.orderable:
        return gettext("This product cannot be ordered at the moment.")
    phrase = limits_phrase(limits, unit)
    return gettext("Order %(limits)s.") % {"limits": phrase} if phrase else ""


def line_limits_message(line: PricedLine) -> str:
    """The cart's single message for a line that breaks its quantity limits (instead of one per rule)."""
    if not line.limits.orderable:
        return gettext("This product cannot be ordered at the moment.")
    return gettext("Please order %(limits)s (currently %(quantity)s %(unit)s).") % {
        "limits": limits_phrase(line.limits, line.unit),
        "quantity": f"{line.quantity:,}",
        "unit": line.unit,
    }


def _yen_of(value: Any) -> str:
    return format_yen(Decimal(str(value))) if value not in (None, "") else ""


def rule_summary(document: Mapping[str, Any]) -> str:
    """One line a person reads for a rule document (rules-file form): "¥10,000未満で¥500".

    Used by the rule list in admin and by the order page's "rules applied" table.
    """
    kind = document.get("kind")
    params = _Params(
        quantity=document.get("quantity", ""),
        amount=_yen_of(document.get("amount")),
        below=_yen_of(document.get("below")),
        fee=_yen_of(document.get("fee")),
        free_from=_yen_of(document.get("free_from")),
    )
    if kind == "small_order_fee":
        return gettext("%(fee)s below %(below)s") % params
    if kind == "shipping_fee":
        if document.get("free_from") not in (None, ""):
            return gettext("Shipping %(fee)s, free from %(free_from)s") % params
        return gettext("Shipping %(fee)s") % params
    if kind == "minimum_order_amount":
        return gettext("Orders of at least %(amount)s") % params
    if kind == "minimum_quantity":
        return gettext("At least %(quantity)s units") % params
    if kind == "maximum_quantity":
        return gettext("At most %(quantity)s units") % params
    if kind == "order_multiple":
        if document.get("use_case_quantity"):
            return gettext("In whole cases")
        return gettext("In multiples of %(quantity)s") % params
    return str(kind or "")


def scope_summary(scope: Mapping[str, Any] | None) -> str:
    """Who a rule applies to, in words: "都道府県: 北海道, 沖縄県"; everyone when empty."""
    labels = {
        "customers": gettext("customers"),
        "price_groups": gettext("price groups"),
        "prefectures": gettext("prefectures"),
        "categories": gettext("categories"),
        "skus": gettext("SKUs"),
    }
    parts = [
        f"{labels.get(key, key)}: {', '.join(str(v) for v in values)}"
        for key, values in (scope or {}).items()
        if values
    ]
    return " / ".join(parts) if parts else gettext("everyone")
