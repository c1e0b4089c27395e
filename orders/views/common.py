"""What every storefront order page shares: the evaluation's presentation."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from catalog.models import Product
from catalog.units import unit_label
from pricing_rules import engine
from pricing_rules.messages import (
    LIMIT_CODES,
    fee_message,
    hint_message,
    limits_sentence,
    line_limits_message,
    violation_message,
)


def _stepper(line: engine.PricedLine) -> dict[str, int | None]:
    """Quantities the − and + buttons move to: the neighbouring valid quantities."""
    minimum, multiple, maximum = line.min_quantity, line.multiple, line.max_quantity
    return {
        "up": engine.next_valid_quantity(line.quantity, minimum=minimum, multiple=multiple, maximum=maximum),
        "down": engine.previous_valid_quantity(
            line.quantity, minimum=minimum, multiple=multiple, maximum=maximum
        ),
    }


def evaluation_context(
    evaluation: engine.Evaluation, products: dict[str, Product] | None = None
) -> dict[str, Any]:
    """Lines with their own violations next to them; order-level violations next to the total."""
    by_sku: dict[str, list[str]] = defaultdict(list)
    order_level: list[dict[str, str]] = []
    priced = {line.sku: line for line in evaluation.lines}
    limits_told: set[str] = set()
    for violation in evaluation.violations:
        if violation.sku and violation.code in LIMIT_CODES and violation.sku in priced:
            # Overlapping rules make one instruction, not one message per rule.
            if violation.sku not in limits_told:
                limits_told.add(violation.sku)
                by_sku[violation.sku].append(line_limits_message(priced[violation.sku]))
        elif violation.sku:
            by_sku[violation.sku].append(violation_message(violation))
        elif violation.code != "empty_cart":
            order_level.append({"code": violation.code, "message": violation_message(violation)})
    lines = [
        {
            "line": line,
            "product": (products or {}).get(line.sku),
            "violations": by_sku.get(line.sku, []),
            "stepper": _stepper(line),
            "limits": limits_sentence(line.limits, unit_label(line.unit)),
        }
        for line in evaluation.lines
    ]
    return {
        "evaluation": evaluation,
        "lines": lines,
        "order_violations": order_level,
        "fees": [{"fee": fee, "label": fee_message(fee)} for fee in evaluation.fees],
        "hints": [{"code": hint.code, "message": hint_message(hint)} for hint in evaluation.hints],
        "tax": [(rate, evaluation.tax.get(rate, 0)) for rate in engine.TAX_RATES],
    }
