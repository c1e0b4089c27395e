"""Money helpers: the only place where yen are rounded, parsed or formatted.

Money is always ``Decimal`` built from strings, never ``float``. Unit prices may carry up to
two decimals (a ¥0.85 screw); line amounts, fees, tax and totals are whole yen.

Named rounding rules (both 切り捨て, round down):

* ``line_amount``: quantity × unit price, rounded down to whole yen per line.
* ``tax_for``: consumption tax of one rate over one order's taxable base, rounded down
  once per rate per order, as a qualified invoice (適格請求書) requires.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

__all__ = [
    "MONEY_PLACES",
    "MoneyError",
    "format_yen",
    "line_amount",
    "money_str",
    "parse_money",
    "parse_unit_price",
    "tax_for",
]

MONEY_PLACES = 2
"""Most decimals a money input (unit price, rule threshold) may carry."""

_WHOLE_YEN = Decimal(1)
_MONEY_RE = re.compile(r"^\d+(?:\.\d+)?$")


def _require_decimal(value: object, what: str) -> Decimal:
    # bool and float are rejected on purpose: a float has already lost the exact value.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal or int, not {type(value).__name__}")
    return Decimal(value)


def line_amount(quantity: int, unit_price: Decimal) -> Decimal:
    """Whole-yen amount of one line: ``quantity × unit_price`` rounded down (切り捨て)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError(f"quantity must be an int, not {type(quantity).__name__}")
    price = _require_decimal(unit_price, "unit_price")
    return (price * quantity).quantize(_WHOLE_YEN, rounding=ROUND_DOWN)


def tax_for(amount: Decimal, rate: int) -> Decimal:
    """Whole-yen tax on a taxable base at ``rate`` percent, rounded down (切り捨て).

    Call it once per rate per order on the sum of that rate's line amounts and fees, never
    per line: rounding per line would make the invoice's tax differ from the law's.
    """
    base = _require_decimal(amount, "amount")
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
        raise ValueError(f"tax rate must be a non-negative int percent, not {rate!r}")
    return (base * rate / 100).quantize(_WHOLE_YEN, rounding=ROUND_DOWN)


def format_yen(amount: Decimal) -> str:
    """Display form: ``¥2,300``; decimals only when present (``¥0.85``); ``-¥500`` if negative."""
    value = _require_decimal(amount, "amount")
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value == value.to_integral_value():
        body = f"{int(value):,}"
    else:
        places = max(MONEY_PLACES, -value.normalize().as_tuple().exponent)  # type: ignore[operator]  # exponent is an int for finite values
        body = f"{value:,.{places}f}"
    return f"{sign}¥{body}"


def money_str(amount: Decimal) -> str:
    """JSON form of money: ``"1234"``, ``"12.50"`` (never exponent notation, never float)."""
    value = _require_decimal(amount, "amount")
    if value == value.to_integral_value():
        return str(int(value))
    return format(value, "f")


class MoneyError(ValueError):
    """Why a money input was refused: ``reason`` is ``float``, ``invalid``, ``negative`` or ``places``."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def parse_money(text: object, *, what: str = "amount", places: int = MONEY_PLACES) -> Decimal:
    """Parse a non-negative money string (``"500"``, ``"0.85"``) into a ``Decimal``: the one money parser.

    Ints and Decimals are accepted too; floats are refused because their value is already
    inexact. Written decimals beyond ``places`` are refused even when they are zeros: "12.500"
    reads as twelve thousand five hundred to many people, so only "12.5" or "12.50" is 12.5.
    Raises ``MoneyError`` (a ``ValueError``) for non-numeric text, a negative value or too many
    decimals.
    """
    if isinstance(text, float):
        raise MoneyError(f'{what} must be a decimal string such as "500", not {text!r}', reason="float")
    if isinstance(text, bool):
        raise MoneyError(f'{what} must be a decimal string such as "500", not {text!r}', reason="invalid")
    if isinstance(text, int):
        text = str(text)
    elif isinstance(text, Decimal):
        if not text.is_finite():
            raise MoneyError(f"{what} must be a finite number, not {text}", reason="invalid")
        text = format(text, "f")
    if not isinstance(text, str):
        raise MoneyError(f"{what} must be a decimal string, not {type(text).__name__}", reason="invalid")
    cleaned = text.strip()
    if cleaned.startswith("-") and _MONEY_RE.match(cleaned[1:]):
        raise MoneyError(f"{what} must not be negative: {text!r}", reason="negative")
    if not _MONEY_RE.match(cleaned):
        raise MoneyError(f"{what} must be a decimal number such as 500 or 12.50: {text!r}", reason="invalid")
    decimals = len(cleaned.partition(".")[2])
    if decimals > places:
        raise MoneyError(f"{what} may have at most {places} decimals: {text!r}", reason="places")
    return Decimal(cleaned)


def parse_unit_price(text: str) -> Decimal:
    """Parse a unit price (up to two decimals, ¥0.85 is fine). Raises ``ValueError`` otherwise."""
    return parse_money(text, what="unit price")
