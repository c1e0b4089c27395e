"""The trading-rules engine (取引ルール): price a cart and list what stops it from being ordered.

Pure: no Django, no ORM, no clock, no I/O. Callers resolve unit prices, stock and the rules
first, pass the business date as ``on``, and every surface (cart page, API, checkout, proxy
orders, what-if replay) gets the same answer from ``evaluate``.

Semantics
---------
Applicability
    A rule applies when ``active``, valid on ``on`` (``valid_from <= on <= valid_to``, each
    bound optional and inclusive) and its ``scope`` matches. Within one scope dimension the
    values are OR-ed, across non-empty dimensions AND-ed; an empty dimension matches everyone.
    ``customers`` matches the buyer's customer code, ``price_groups`` its price group (a buyer
    without one never matches a non-empty list), ``prefectures`` the ship-to prefecture,
    ``categories`` any of the line product's ``category_codes`` (its category and ancestors),
    ``skus`` the line's SKU. Order-level rules (``minimum_order_amount``, ``small_order_fee``,
    ``shipping_fee``) scoped by categories/skus apply when any line matches; their thresholds
    still compare with the whole merchandise subtotal.

Line constraints (発注単位 / 最低発注数量 / 上限)
    The product's own ``moq`` / ``order_multiple`` / ``max_quantity`` combine with every
    applicable line rule and the strictest wins: minimum = max of all, multiple = lcm of all
    (a multiple of 1 is no constraint), maximum = min of all. With ``use_case_quantity`` a
    rule's ``quantity`` counts cases (default 1 case), so ``order_multiple`` +
    ``use_case_quantity`` means "whole cases of ``product.case_quantity``".
    Violations per line, in this order: ``below_moq``, ``not_multiple``, ``above_max``,
    ``not_available`` (quantity above ``available``). An inactive product yields only
    ``not_available`` (no quantity fixes it). ``required`` is the minimum / multiple / maximum /
    available quantity; ``params['suggested']`` is the nearest valid quantity (the smallest
    valid one at or above the current quantity, else the largest valid one; ``None`` when the
    constraints admit no quantity at all).

Order level
    ``subtotal`` is the sum of line amounts (``money.line_amount``, whole yen, rounded down),
    before tax. ``below_minimum_amount`` when subtotal < the largest applicable ``amount``.
    Fee rules: among applicable rules of one kind the highest ``priority`` wins, ties go to the
    larger fee, then the higher ``below`` / ``free_from`` (none = never free), then the higher tax
    rate, then the greater code (never the input order); the winner alone decides (so a higher-priority rule with fee 0 exempts a
    customer). ``small_order_fee`` is charged when 0 < subtotal < ``below``; ``shipping_fee``
    unless ``free_from`` is set and subtotal >= ``free_from``. A fee of 0 is never charged. No
    fees on an empty cart. Each charged fee brings a hint (``small_order_fee_avoidable`` /
    ``free_shipping_reachable``) with the ``missing`` amount that would avoid it, when it can
    be avoided.

Tax and totals
    Per order per rate: tax[rate] = floor((line amounts + fees at that rate) × rate / 100);
    ``tax`` always has keys 10 and 8. total = subtotal + fees + tax. ``credit_limit`` when
    total > ``buyer.credit_available`` (``None`` = no limit). ``ec_disabled`` when the buyer
    may not order online (the cart still prices). ``empty_cart`` when there are no lines.
    ``can_checkout`` is true exactly when there are no violations.

``applied_rules`` lists, in input order, the codes of the rules that took part: line rules
that apply to at least one line, applicable minimum-amount rules, and the winning fee rule of
each kind (charged or not), for the order snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from b2bshop.money import (
    line_amount,
    money_str,
    parse_money,
    tax_for,
)

__all__ = [
    "FEE_KINDS",
    "KINDS",
    "KIND_FIELDS",
    "LINE_KINDS",
    "MONEY_FIELDS",
    "ORDER_KINDS",
    "TAX_RATES",
    "Buyer",
    "Evaluation",
    "Fee",
    "Hint",
    "Line",
    "LineLimits",
    "PricedLine",
    "Product",
    "Rule",
    "RuleFormatError",
    "SCOPE_KEYS",
    "Scope",
    "Violation",
    "evaluate",
    "line_limits",
    "next_valid_quantity",
    "previous_valid_quantity",
]

TAX_RATES: Final = (10, 8)

MINIMUM_QUANTITY: Final = "minimum_quantity"
ORDER_MULTIPLE: Final = "order_multiple"
MAXIMUM_QUANTITY: Final = "maximum_quantity"
MINIMUM_ORDER_AMOUNT: Final = "minimum_order_amount"
SMALL_ORDER_FEE: Final = "small_order_fee"
SHIPPING_FEE: Final = "shipping_fee"

LINE_KINDS: Final = frozenset({MINIMUM_QUANTITY, ORDER_MULTIPLE, MAXIMUM_QUANTITY})
FEE_KINDS: Final = frozenset({SMALL_ORDER_FEE, SHIPPING_FEE})
ORDER_KINDS: Final = frozenset({MINIMUM_ORDER_AMOUNT}) | FEE_KINDS
KINDS: Final = LINE_KINDS | ORDER_KINDS

# Kind-specific fields: which are required, which are allowed. Anything else on a rule of
# that kind is a mistake in the rules file and is refused rather than silently ignored.
KIND_FIELDS: Final[dict[str, frozenset[str]]] = {
    MINIMUM_QUANTITY: frozenset({"quantity", "use_case_quantity"}),
    ORDER_MULTIPLE: frozenset({"quantity", "use_case_quantity"}),
    MAXIMUM_QUANTITY: frozenset({"quantity", "use_case_quantity"}),
    MINIMUM_ORDER_AMOUNT: frozenset({"amount"}),
    SMALL_ORDER_FEE: frozenset({"below", "fee", "tax_rate"}),
    SHIPPING_FEE: frozenset({"fee", "free_from", "tax_rate"}),
}
_REQUIRED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    MINIMUM_ORDER_AMOUNT: ("amount",),
    SMALL_ORDER_FEE: ("below", "fee"),
    SHIPPING_FEE: ("fee",),
}
MONEY_FIELDS: Final = ("amount", "below", "fee", "free_from")
SCOPE_KEYS: Final = ("customers", "price_groups", "prefectures", "categories", "skus")

FEE_KIND_NAMES: Final = {SMALL_ORDER_FEE: "small_order_fee", SHIPPING_FEE: "shipping"}


class RuleFormatError(ValueError):
    """A rule (or a rules file) is malformed; the message says which rule and field.

    Defined here because building a ``Rule`` validates it; the rules-file format
    (``pricing_rules.rules_file``) raises the same error for what it parses.
    """


# --------------------------------------------------------------------------- inputs


def _frozen_codes(value: Iterable[str], what: str) -> frozenset[str]:
    # A bare string would silently become a set of characters.
    if isinstance(value, str):
        raise RuleFormatError(f"scope.{what} must be a list of codes, not a string")
    codes = frozenset(value)
    for code in codes:
        if not isinstance(code, str) or not code:
            raise RuleFormatError(f"scope.{what} must contain non-empty strings, got {code!r}")
    return codes


@dataclass(frozen=True, slots=True)
class Scope:
    """Who and what a rule is for. Empty dimension = everyone; AND across, OR within."""

    customers: frozenset[str] = frozenset()
    price_groups: frozenset[str] = frozenset()
    prefectures: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for key in SCOPE_KEYS:
            object.__setattr__(self, key, _frozen_codes(getattr(self, key), key))

    @property
    def is_everyone(self) -> bool:
        return not any(getattr(self, key) for key in SCOPE_KEYS)

    @property
    def has_product_dimension(self) -> bool:
        return bool(self.categories or self.skus)

    def matches_buyer(self, buyer: Buyer) -> bool:
        """The buyer-side dimensions (customer, price group, ship-to prefecture)."""
        if self.customers and buyer.customer_code not in self.customers:
            return False
        if self.price_groups and buyer.price_group not in self.price_groups:
            return False
        return not (self.prefectures and buyer.prefecture not in self.prefectures)

    def matches_product(self, product: Product) -> bool:
        """The product-side dimensions (category incl. ancestors, SKU)."""
        if self.categories and self.categories.isdisjoint(product.category_codes):
            return False
        return not (self.skus and product.sku not in self.skus)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Rule:
    """One trading rule. Constructing it validates it (raises ``RuleFormatError``).

    Kinds: ``minimum_quantity`` / ``order_multiple`` / ``maximum_quantity`` (``quantity``,
    optionally counted in cases with ``use_case_quantity``), ``minimum_order_amount``
    (``amount``), ``small_order_fee`` 小口手数料 (``below``, ``fee``, ``tax_rate``) and
    ``shipping_fee`` 送料 (``fee``, optional ``free_from``, ``tax_rate``).
    """

    code: str
    kind: str
    quantity: int | None = None
    use_case_quantity: bool = False
    amount: Decimal | None = None
    below: Decimal | None = None
    fee: Decimal | None = None
    free_from: Decimal | None = None
    tax_rate: int = 10
    scope: Scope = field(default_factory=Scope)
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool = True
    priority: int = 0
    description: str = ""

    def __post_init__(self) -> None:
        self._validate()

    def _fail(self, message: str) -> RuleFormatError:
        return RuleFormatError(f"rule {self.code!r}: {message}")

    def _validate(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise RuleFormatError("rule code must be a non-empty string")
        if self.kind not in KINDS:
            raise self._fail(f"unknown kind {self.kind!r}; allowed: {', '.join(sorted(KINDS))}")
        allowed = KIND_FIELDS[self.kind]
        for name in ("quantity", *MONEY_FIELDS):
            if getattr(self, name) is not None and name not in allowed:
                raise self._fail(f"{name!r} is not used by kind {self.kind!r}")
        if self.use_case_quantity and "use_case_quantity" not in allowed:
            raise self._fail(f"'use_case_quantity' is not used by kind {self.kind!r}")
        for name in _REQUIRED_FIELDS.get(self.kind, ()):
            if getattr(self, name) is None:
                raise self._fail(f"kind {self.kind!r} requires {name!r}")
        if self.kind in LINE_KINDS:
            if self.quantity is None and not self.use_case_quantity:
                raise self._fail(f"kind {self.kind!r} requires 'quantity' or 'use_case_quantity'")
            if self.quantity is not None and (not _is_int(self.quantity) or self.quantity < 1):
                raise self._fail(f"quantity must be a positive integer, not {self.quantity!r}")
        if not isinstance(self.use_case_quantity, bool):
            raise self._fail("use_case_quantity must be true or false")
        for name in MONEY_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, Decimal):
                raise self._fail(f"{name} must be a Decimal, not {type(value).__name__}")
            try:
                parse_money(value, what=name)
            except ValueError as exc:
                raise self._fail(str(exc)) from None
        # Fees are charged as they are, so they must already be whole yen.
        if self.fee is not None and self.fee != self.fee.to_integral_value():
            raise self._fail(f"fee must be whole yen, not {money_str(self.fee)}")
        if not _is_int(self.tax_rate) or self.tax_rate not in TAX_RATES:
            raise self._fail(f"tax_rate must be 10 or 8, not {self.tax_rate!r}")
        if not isinstance(self.scope, Scope):
            raise self._fail("scope must be a Scope")
        for name in ("valid_from", "valid_to"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
                raise self._fail(f"{name} must be a date")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise self._fail(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if not isinstance(self.active, bool):
            raise self._fail("active must be true or false")
        if not _is_int(self.priority):
            raise self._fail(f"priority must be an integer, not {self.priority!r}")
        if not isinstance(self.description, str):
            raise self._fail("description must be a string")

    # ------------------------------------------------------------------ applicability

    def is_valid_on(self, on: date) -> bool:
        """Active and inside the inclusive validity window."""
        if not self.active:
            return False
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_to is not None and on > self.valid_to)

    def applies_to_line(self, *, buyer: Buyer, product: Product, on: date) -> bool:
        return (
            self.is_valid_on(on) and self.scope.matches_buyer(buyer) and self.scope.matches_product(product)
        )

    def applies_to_order(self, *, buyer: Buyer, products: Sequence[Product], on: date) -> bool:
        """Order-level rules scoped by category/SKU apply when any line matches."""
        if not (self.is_valid_on(on) and self.scope.matches_buyer(buyer)):
            return False
        if not self.scope.has_product_dimension:
            return True
        return any(self.scope.matches_product(p) for p in products)

    def line_value(self, product: Product) -> int:
        """The quantity this line rule demands for ``product`` (cases converted to pieces)."""
        if self.use_case_quantity:
            return (self.quantity or 1) * product.case_quantity
        assert self.quantity is not None  # guaranteed by validation
        return self.quantity


@dataclass(frozen=True, slots=True)
class Product:
    """What the engine needs to know about a product. ``available=None``: stock not checked."""

    sku: str
    name: str
    unit: str
    category_codes: tuple[str, ...] = ()
    case_quantity: int = 1
    moq: int | None = None
    order_multiple: int | None = None
    max_quantity: int | None = None
    tax_rate: int = 10
    active: bool = True
    available: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.category_codes, str):
            raise TypeError("category_codes must be a tuple of codes, not a string")
        object.__setattr__(self, "category_codes", tuple(self.category_codes))
        if self.tax_rate not in TAX_RATES:
            raise ValueError(f"{self.sku}: tax_rate must be 10 or 8, not {self.tax_rate!r}")
        if not _is_int(self.case_quantity) or self.case_quantity < 1:
            raise ValueError(f"{self.sku}: case_quantity must be a positive integer")
        for name in ("moq", "order_multiple", "max_quantity"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 1):
                raise ValueError(f"{self.sku}: {name} must be a positive integer or None")


@dataclass(frozen=True, slots=True)
class Line:
    """A cart line; ``unit_price`` is already this buyer's price for this quantity."""

    product: Product
    quantity: int
    unit_price: Decimal

    def __post_init__(self) -> None:
        # A 0 quantity means "remove" and never reaches the engine.
        if not _is_int(self.quantity) or self.quantity < 1:
            raise ValueError(f"{self.product.sku}: quantity must be a positive integer")
        if not isinstance(self.unit_price, Decimal) or self.unit_price < 0:
            raise TypeError(f"{self.product.sku}: unit_price must be a non-negative Decimal")


@dataclass(frozen=True, slots=True)
class Buyer:
    """The ordering company. ``credit_available=None``: no credit limit."""

    customer_code: str
    price_group: str | None = None
    prefecture: str = ""
    ec_enabled: bool = True
    credit_available: Decimal | None = None


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A priced line plus the effective constraints a quantity stepper needs."""

    sku: str
    name: str
    unit: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    tax_rate: int
    min_quantity: int = 1
    multiple: int = 1
    max_quantity: int | None = None
    smallest_valid_quantity: int | None = 1
    rule_codes: tuple[str, ...] = ()

    @property
    def limits(self) -> LineLimits:
        """The same limits ``line_limits`` gives the product page, for the cart's one-sentence message."""
        smallest = self.smallest_valid_quantity
        largest = _largest_valid(minimum=self.min_quantity, multiple=self.multiple, maximum=self.max_quantity)
        return LineLimits(
            minimum=self.min_quantity,
            multiple=self.multiple,
            maximum=self.max_quantity,
            smallest_valid=smallest,
            largest_valid=largest if smallest is not None else None,
            rule_codes=self.rule_codes,
        )


@dataclass(frozen=True, slots=True)
class Violation:
    """Why the cart cannot be ordered; ``code`` is stable, ``params`` feed the message."""

    code: str
    sku: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    required: int | Decimal | None = None


@dataclass(frozen=True, slots=True)
class Fee:
    """A surcharge line: ``kind`` is ``small_order_fee`` or ``shipping``; whole yen."""

    kind: str
    amount: Decimal
    tax_rate: int
    rule_code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hint:
    """How the buyer could avoid a fee (``small_order_fee_avoidable``, ``free_shipping_reachable``)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evaluation:
    lines: tuple[PricedLine, ...]
    violations: tuple[Violation, ...]
    fees: tuple[Fee, ...]
    hints: tuple[Hint, ...]
    subtotal: Decimal
    tax: dict[int, Decimal]
    total: Decimal
    can_checkout: bool
    applied_rules: tuple[str, ...]

    @property
    def fees_total(self) -> Decimal:
        return sum((fee.amount for fee in self.fees), Decimal(0))

    @property
    def tax_total(self) -> Decimal:
        return sum(self.tax.values(), Decimal(0))

    @property
    def violation_codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.violations)


# --------------------------------------------------------------------------- evaluation


def _smallest_valid(*, at_least: int, minimum: int, multiple: int, maximum: int | None) -> int | None:
    start = max(at_least, minimum, 1)
    candidate = -(-start // multiple) * multiple
    if maximum is not None and candidate > maximum:
        return None
    return candidate


def _largest_valid(*, minimum: int, multiple: int, maximum: int | None) -> int | None:
    if maximum is None:
        return None
    candidate = (maximum // multiple) * multiple
    return candidate if candidate >= max(minimum, 1) else None


def _nearest_valid(*, quantity: int, minimum: int, multiple: int, maximum: int | None) -> int | None:
    up = _smallest_valid(at_least=quantity, minimum=minimum, multiple=multiple, maximum=maximum)
    if up is not None:
        return up
    return _largest_valid(minimum=minimum, multiple=multiple, maximum=maximum)


def next_valid_quantity(quantity: int, *, minimum: int, multiple: int, maximum: int | None) -> int | None:
    """The smallest valid quantity above ``quantity`` (a stepper's +), ``None`` when there is none."""
    return _smallest_valid(at_least=quantity + 1, minimum=minimum, multiple=max(multiple, 1), maximum=maximum)


def previous_valid_quantity(quantity: int, *, minimum: int, multiple: int, maximum: int | None) -> int | None:
    """The largest valid quantity below ``quantity`` (a stepper's −), ``None`` when there is none."""
    multiple = max(multiple, 1)
    ceiling = quantity - 1 if maximum is None else min(quantity - 1, maximum)
    candidate = (ceiling // multiple) * multiple
    return candidate if candidate >= max(minimum, 1) else None


@dataclass(frozen=True, slots=True)
class LineLimits:
    """The quantities one buyer may order of one product: every applicable rule combined.

    ``smallest_valid`` / ``largest_valid`` are the first and last quantities that pass every
    constraint (``None``: no such quantity, or no maximum). Product pages, lists, quick order,
    the API and the cart all read these, so what a page promises is what the cart enforces.
    """

    minimum: int = 1
    multiple: int = 1
    maximum: int | None = None
    smallest_valid: int | None = 1
    largest_valid: int | None = None
    rule_codes: tuple[str, ...] = ()

    @property
    def orderable(self) -> bool:
        return self.smallest_valid is not None


def line_limits(*, product: Product, buyer: Buyer, rules: Sequence[Rule], on: date) -> LineLimits:
    """Combine the product's own moq / multiple / maximum with every applicable line rule.

    The strictest wins: minimum = max of all, multiple = lcm of all, maximum = min of all.
    """
    applicable = [
        r for r in rules if r.kind in LINE_KINDS and r.applies_to_line(buyer=buyer, product=product, on=on)
    ]
    minimums = [r.line_value(product) for r in applicable if r.kind == MINIMUM_QUANTITY]
    multiples = [r.line_value(product) for r in applicable if r.kind == ORDER_MULTIPLE]
    maximums = [r.line_value(product) for r in applicable if r.kind == MAXIMUM_QUANTITY]
    if product.moq is not None:
        minimums.append(product.moq)
    if product.order_multiple is not None:
        multiples.append(product.order_multiple)
    if product.max_quantity is not None:
        maximums.append(product.max_quantity)
    minimum = max(minimums, default=1)
    multiple = math.lcm(*multiples) if multiples else 1
    maximum = min(maximums, default=None)
    smallest = _smallest_valid(at_least=1, minimum=minimum, multiple=multiple, maximum=maximum)
    largest = _largest_valid(minimum=minimum, multiple=multiple, maximum=maximum)
    return LineLimits(
        minimum=minimum,
        multiple=multiple,
        maximum=maximum,
        smallest_valid=smallest,
        largest_valid=largest if smallest is not None else None,
        rule_codes=tuple(r.code for r in applicable),
    )


def _evaluate_line(
    line: Line, *, buyer: Buyer, rules: Sequence[Rule], on: date
) -> tuple[PricedLine, list[Violation], list[str]]:
    product = line.product
    limits = line_limits(product=product, buyer=buyer, rules=rules, on=on)
    minimum, multiple, maximum = limits.minimum, limits.multiple, limits.maximum
    quantity = line.quantity
    smallest = limits.smallest_valid

    priced = PricedLine(
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        quantity=quantity,
        unit_price=line.unit_price,
        amount=line_amount(quantity, line.unit_price),
        tax_rate=product.tax_rate,
        min_quantity=minimum,
        multiple=multiple,
        max_quantity=maximum,
        smallest_valid_quantity=smallest,
        rule_codes=limits.rule_codes,
    )
    base = {"name": product.name, "unit": product.unit, "quantity": quantity}

    if not product.active:
        params = {**base, "reason": "inactive", "available": 0}
        return priced, [Violation("not_available", product.sku, params, None)], []

    suggested = _nearest_valid(quantity=quantity, minimum=minimum, multiple=multiple, maximum=maximum)
    violations: list[Violation] = []
    if quantity < minimum:
        params = {**base, "required": minimum, "minimum": minimum, "suggested": suggested}
        violations.append(Violation("below_moq", product.sku, params, minimum))
    if multiple > 1 and quantity % multiple:
        params = {**base, "required": multiple, "multiple": multiple, "suggested": suggested}
        violations.append(Violation("not_multiple", product.sku, params, multiple))
    if maximum is not None and quantity > maximum:
        params = {**base, "required": maximum, "maximum": maximum, "suggested": suggested}
        violations.append(Violation("above_max", product.sku, params, maximum))
    if product.available is not None and quantity > product.available:
        available = max(product.available, 0)
        params = {**base, "reason": "stock", "available": available, "required": available}
        violations.append(Violation("not_available", product.sku, params, available))
    return priced, violations, list(limits.rule_codes)


def _fee_reach(rule: Rule) -> Decimal:
    """How wide a fee rule charges: the small-order threshold, or where shipping becomes free."""
    if rule.kind == SMALL_ORDER_FEE:
        return rule.below or Decimal(0)
    return Decimal("Infinity") if rule.free_from is None else rule.free_from


def _winning_fee_rule(candidates: Sequence[Rule]) -> Rule | None:
    # Highest priority wins; on a tie the larger fee, then the wider threshold, then the higher tax
    # rate, so overlapping rules never undercharge; the code settles the rest, so the order the
    # rules arrive in (file, database) never changes the fee, its tax or its hint.
    return max(
        candidates,
        key=lambda r: (r.priority, r.fee or Decimal(0), _fee_reach(r), r.tax_rate, r.code),
        default=None,
    )


def evaluate(*, lines: Sequence[Line], buyer: Buyer, rules: Sequence[Rule], on: date) -> Evaluation:
    """Price a cart and list every violation, fee and hint. Same answer for preview and checkout.

    Pure and deterministic; see the module docstring for the rule semantics. Raises nothing
    for a bad cart (that is what violations are for); invalid inputs fail when the dataclasses
    are built.
    """
    violations: list[Violation] = []
    if not buyer.ec_enabled:
        violations.append(Violation("ec_disabled", None, {"customer_code": buyer.customer_code}, None))
    if not lines:
        violations.append(Violation("empty_cart", None, {}, None))

    priced_lines: list[PricedLine] = []
    used: set[str] = set()
    for line in lines:
        priced, line_violations, codes = _evaluate_line(line, buyer=buyer, rules=rules, on=on)
        priced_lines.append(priced)
        violations.extend(line_violations)
        used.update(codes)

    subtotal = sum((p.amount for p in priced_lines), Decimal(0))
    products = [line.product for line in lines]
    order_rules = [
        r
        for r in rules
        if r.kind in ORDER_KINDS and r.applies_to_order(buyer=buyer, products=products, on=on)
    ]

    if lines:
        minimum_rules = [r for r in order_rules if r.kind == MINIMUM_ORDER_AMOUNT]
        used.update(r.code for r in minimum_rules)
        required_amount = max((r.amount for r in minimum_rules if r.amount is not None), default=None)
        if required_amount is not None and subtotal < required_amount:
            params = {
                "subtotal": subtotal,
                "required": required_amount,
                "missing": required_amount - subtotal,
            }
            violations.append(Violation("below_minimum_amount", None, params, required_amount))

    fees: list[Fee] = []
    hints: list[Hint] = []
    if lines:
        small = _winning_fee_rule([r for r in order_rules if r.kind == SMALL_ORDER_FEE])
        if small is not None:
            used.add(small.code)
            assert small.below is not None
            assert small.fee is not None
            if small.fee > 0 and Decimal(0) < subtotal < small.below:
                params = {"below": small.below, "fee": small.fee}
                fees.append(
                    Fee(FEE_KIND_NAMES[SMALL_ORDER_FEE], small.fee, small.tax_rate, small.code, params)
                )
                missing = small.below - subtotal
                hints.append(
                    Hint(
                        "small_order_fee_avoidable",
                        {"missing": missing, "fee": small.fee, "below": small.below},
                    )
                )
        shipping = _winning_fee_rule([r for r in order_rules if r.kind == SHIPPING_FEE])
        if shipping is not None:
            used.add(shipping.code)
            assert shipping.fee is not None
            free = shipping.free_from is not None and subtotal >= shipping.free_from
            if shipping.fee > 0 and not free:
                ship_params: dict[str, Any] = {"free_from": shipping.free_from, "fee": shipping.fee}
                fees.append(
                    Fee(
                        FEE_KIND_NAMES[SHIPPING_FEE],
                        shipping.fee,
                        shipping.tax_rate,
                        shipping.code,
                        ship_params,
                    )
                )
                if shipping.free_from is not None:
                    missing = shipping.free_from - subtotal
                    hint_params = {"missing": missing, "fee": shipping.fee, "free_from": shipping.free_from}
                    hints.append(Hint("free_shipping_reachable", hint_params))

    bases = dict.fromkeys(TAX_RATES, Decimal(0))
    for priced in priced_lines:
        bases[priced.tax_rate] += priced.amount
    for fee in fees:
        bases[fee.tax_rate] += fee.amount
    tax = {rate: tax_for(base, rate) for rate, base in bases.items()}
    fees_total = sum((fee.amount for fee in fees), Decimal(0))
    total = subtotal + fees_total + sum(tax.values(), Decimal(0))

    if lines and buyer.credit_available is not None and total > buyer.credit_available:
        params = {
            "total": total,
            "credit_available": buyer.credit_available,
            "excess": total - buyer.credit_available,
        }
        violations.append(Violation("credit_limit", None, params, buyer.credit_available))

    return Evaluation(
        lines=tuple(priced_lines),
        violations=tuple(violations),
        fees=tuple(fees),
        hints=tuple(hints),
        subtotal=subtotal,
        tax=tax,
        total=total,
        can_checkout=not violations,
        applied_rules=tuple(dict.fromkeys(r.code for r in rules if r.code in used)),
    )
