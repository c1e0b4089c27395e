"""The one cart evaluation, and the writes that change a buyer's cart.

``evaluate_cart`` is the only place that turns (product, quantity) pairs into priced lines,
violations, fees, hints and tax: the cart page, the cart API, checkout, staff proxy orders,
reorder and reminder e-mails all call it. Its query count does not depend on the number of
lines: rules, category tree, prices and stock are each read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils.translation import gettext

from b2bshop.errors import NotFound, ValidationFailed
from b2bshop.hot_sql import execute, in_list, insert_rows
from catalog.limits import category_chains, engine_buyer, engine_product
from catalog.models import Product, Stock
from catalog.prices import price_sheets
from catalog.selectors import visible_product_by_sku, visible_products_by_sku
from customers.models import Customer, User
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.models import Cart, CartLine
from pricing_rules import engine
from pricing_rules.rules_file import rule_to_dict
from pricing_rules.selectors import list_rules

MAX_QUANTITY = 10**6
"""Largest quantity one line may ask for; anything larger is a typo, refused with 400."""
# The channels buyers use themselves; web ordering (Customer.ec_enabled) gates only these (contract section 5).
SELF_SERVICE_CHANNELS = frozenset({"web", "api"})


@dataclass(frozen=True, slots=True)
class RuledEvaluation:
    """The engine's answer plus the rules it was given (checkout snapshots the applied ones)."""

    evaluation: engine.Evaluation
    rules: tuple[engine.Rule, ...]

    def applied_rule_documents(self) -> list[dict]:
        by_code = {rule.code: rule for rule in self.rules}
        return [rule_to_dict(by_code[code]) for code in self.evaluation.applied_rules if code in by_code]


def _available(products: Sequence[Product]) -> dict[int, int]:
    """Available units per product id; no query when the stock came joined (``list_cart_lines``)."""
    joined = Product.stock.related  # the reverse one-to-one; its cache holds None for "no stock row"
    if all(joined.is_cached(p) for p in products):
        stocks = [cast("Stock | None", joined.get_cached_value(p)) for p in products]
        return {s.product_id: max(s.on_hand - s.held, 0) for s in stocks if s is not None}
    rows = Stock.objects.filter(product_id__in=[p.id for p in products]).values_list(
        "product_id", "on_hand", "held"
    )
    return {pid: max(on_hand - held, 0) for pid, on_hand, held in rows}


def evaluate_cart_with_rules(
    *,
    customer: Customer,
    lines: Sequence[tuple[Product, int]],
    ship_to_prefecture: str,
    on: date,
    credit_available: Decimal | None,
    check_stock: bool = True,
    channel: str = "web",
) -> RuledEvaluation:
    """``evaluate_cart`` plus the rules it used. ``customer.price_group`` should be select_related."""
    merged: dict[int, list] = {}
    for product, quantity in lines:  # one line per product, quantities added
        if product.id in merged:
            merged[product.id][1] += quantity
        else:
            merged[product.id] = [product, quantity]
    products = [product for product, _qty in merged.values()]
    rules = list_rules(on=on)
    needs_categories = any(rule.scope.categories for rule in rules)
    chains = category_chains(products) if needs_categories and products else {}
    sheets = price_sheets(customer=customer, products=products, on=on)
    available = _available(products) if check_stock and products else {}
    engine_lines = [
        engine.Line(
            product=engine_product(
                product, chains=chains, available=available.get(product.id, 0) if check_stock else None
            ),
            quantity=quantity,
            unit_price=sheets[product.id].unit_price(quantity),
        )
        for product, quantity in merged.values()
    ]
    buyer = engine_buyer(
        customer,
        ship_to_prefecture=ship_to_prefecture,
        credit_available=credit_available,
        # Web ordering gates the web and API channels only: staff key in phone/FAX orders for anyone.
        ec_enabled=customer.ec_enabled or channel not in SELF_SERVICE_CHANNELS,
    )
    evaluation = engine.evaluate(lines=engine_lines, buyer=buyer, rules=rules, on=on)
    return RuledEvaluation(evaluation=evaluation, rules=rules)


def evaluate_cart(
    *,
    customer: Customer,
    lines: Sequence[tuple[Product, int]],
    ship_to_prefecture: str,
    on: date,
    credit_available: Decimal | None,
    check_stock: bool = True,
    channel: str = "web",
) -> engine.Evaluation:
    """Price ``lines`` for ``customer`` delivering to ``ship_to_prefecture`` on day ``on``.

    Same answer for the cart page, the API, checkout, proxy orders and reorder. With
    ``check_stock=False`` stock is left to ``catalog.stock.hold_stock`` (checkout: 409, not 422).
    """
    return evaluate_cart_with_rules(
        customer=customer,
        lines=lines,
        ship_to_prefecture=ship_to_prefecture,
        on=on,
        credit_available=credit_available,
        check_stock=check_stock,
        channel=channel,
    ).evaluation


@dataclass(frozen=True, slots=True)
class CartState:
    """A buyer's cart as every surface shows it."""

    customer: Customer
    ship_to: dict[str, str]
    products: dict[str, Product]  # by SKU, for links and steppers
    evaluation: engine.Evaluation


def buyer_cart(*, buyer: User, on: date, ship_to_id: int | None = None) -> CartState:
    """Evaluate the buyer's cart for the default (or given) ship-to. Constant query count."""
    customer = get_buyer_customer(user=buyer)
    ship_to = selectors.resolve_ship_to(customer=customer, ship_to_id=ship_to_id)
    cart_lines = selectors.list_cart_lines(buyer=buyer)
    evaluation = evaluate_cart(
        customer=customer,
        lines=[(line.product, line.quantity) for line in cart_lines],
        ship_to_prefecture=ship_to.get("prefecture", ""),
        on=on,
        credit_available=selectors.credit_available(customer=customer),
    )
    return CartState(
        customer=customer,
        ship_to=ship_to,
        products={line.product.sku: line.product for line in cart_lines},
        evaluation=evaluation,
    )


# --------------------------------------------------------------------------- input checks


def parse_quantity(value: object, *, allow_zero: bool = True) -> int:
    """A quantity from a form, JSON or a quick-order line. Raises ValidationFailed (400)."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        text = value.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(",", "")
        value = int(text) if text.isdigit() or (text.startswith("-") and text[1:].isdigit()) else None
    if not isinstance(value, int):
        raise ValidationFailed(gettext("Enter the quantity as a whole number."), code="invalid_quantity")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed(
            gettext("The quantity must be a positive whole number."), code="invalid_quantity"
        )
    if value > MAX_QUANTITY:
        raise ValidationFailed(
            gettext("The quantity is too large (at most %(max)s).") % {"max": f"{MAX_QUANTITY:,}"},
            code="invalid_quantity",
        )
    return value


def get_orderable_product(*, sku: str, buyer: User) -> Product:
    """A product the buyer's company may see and order, by SKU. Unknown, inactive or hidden: NotFound (404)."""
    customer = get_buyer_customer(user=buyer)
    product = visible_product_by_sku(customer=customer, sku=str(sku).strip())
    if product is None:
        raise NotFound(gettext("Product %(sku)s was not found.") % {"sku": sku}, code="product_not_found")
    return product


# --------------------------------------------------------------------------- writes


def _lock_cart(*, buyer: User) -> Cart:
    """The buyer's cart, created if needed and row-locked, in one upsert (it locks the row it touches)."""
    cart = Cart(buyer=buyer)
    insert_rows([cart], on_conflict=("buyer",), update=("updated_at",))
    return cart


def set_quantity(*, buyer: User, product: Product, quantity: int) -> None:
    """Set one line's quantity; 0 removes it. ``quantity`` must come from ``parse_quantity``."""
    with transaction.atomic():
        cart = _lock_cart(buyer=buyer)
        if quantity == 0:
            CartLine.objects.filter(cart=cart, product=product).delete()
            return
        CartLine.objects.bulk_create(
            [CartLine(cart=cart, product=product, quantity=quantity)],
            update_conflicts=True,
            unique_fields=["cart", "product"],
            update_fields=["quantity"],
        )


def remove_line(*, buyer: User, sku: str) -> bool:
    """Drop the buyer's line for ``sku``, even when the product is no longer orderable; False if none."""
    deleted, _ = CartLine.objects.filter(cart__buyer=buyer, product__sku=sku).delete()
    return deleted > 0


@dataclass(frozen=True, slots=True)
class LineProblem:
    """Why line ``index`` (0-based, in the order sent) of a whole-cart request was refused."""

    index: int
    sku: str
    code: str  # unknown_sku | invalid_quantity | duplicate_sku | invalid_line | too_many_lines
    message: str


class CartLinesInvalid(ValidationFailed):
    """A whole-cart request with bad lines: nothing was changed (400 with every problem)."""

    code = "invalid_cart_lines"
    top_level = ("errors",)

    def __init__(self, problems: Sequence[LineProblem]):
        self.problems = list(problems)
        super().__init__(
            gettext("Some lines cannot be put into the cart; the cart was not changed."),
            details={"errors": [problem_document(p) for p in self.problems]},
        )


def problem_document(problem: LineProblem) -> dict[str, object]:
    return {"index": problem.index, "sku": problem.sku, "code": problem.code, "message": problem.message}


MAX_CART_LINES = 500
"""Most lines one cart may hold (the quick-order limit too)."""


def resolve_cart_lines(raw: object, *, customer: Customer) -> list[tuple[Product, int]]:
    """Turn ``[{"sku", "quantity"}, ...]`` into (product, quantity) pairs in one query, all or nothing.

    Quantity 0 leaves the SKU out of the cart. Raises CartLinesInvalid listing every bad line.
    """
    if not isinstance(raw, list):
        raise CartLinesInvalid([LineProblem(0, "", "invalid_line", gettext("Send the lines as a list."))])
    problems: list[LineProblem] = []
    if len(raw) > MAX_CART_LINES:
        message = gettext("Too many lines; at most %(max)s.") % {"max": MAX_CART_LINES}
        raise CartLinesInvalid([LineProblem(MAX_CART_LINES, "", "too_many_lines", message)])
    parsed: list[tuple[int, str, int]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        sku = item.get("sku") if isinstance(item, dict) else None
        # A NUL can never be a SKU (and PostgreSQL refuses it in a query): an invalid line, not a 500.
        if not isinstance(sku, str) or not sku.strip() or len(sku) > 64 or "\x00" in sku:
            text = gettext('Each line needs a "sku" and a "quantity".')
            problems.append(LineProblem(index, str(sku or ""), "invalid_line", text))
            continue
        sku = sku.strip()
        value = item.get("quantity")
        try:
            # JSON must carry a number; "10" is a client bug worth a 400.
            quantity = parse_quantity(None if isinstance(value, str) else value)
        except ValidationFailed as exc:
            problems.append(LineProblem(index, sku, "invalid_quantity", exc.message))
            continue
        if sku.upper() in seen:
            text = gettext("Product %(sku)s appears twice.") % {"sku": sku}
            problems.append(LineProblem(index, sku, "duplicate_sku", text))
            continue
        seen.add(sku.upper())
        parsed.append((index, sku, quantity))
    found = {
        p.sku.upper(): p for p in visible_products_by_sku(customer=customer, skus=[s for _i, s, _q in parsed])
    }
    items: list[tuple[Product, int]] = []
    for index, sku, quantity in parsed:
        product = found.get(sku.upper())
        if product is None:
            text = gettext("Product %(sku)s was not found.") % {"sku": sku}
            problems.append(LineProblem(index, sku, "unknown_sku", text))
        elif quantity:
            items.append((product, quantity))
    if problems:
        raise CartLinesInvalid(sorted(problems, key=lambda p: p.index))
    return items


def write_cart(*, buyer: User, items: Sequence[tuple[Product, int]], replace: bool) -> None:
    """The one cart write behind the bulk API, quick order, reorder and templates.

    ``replace=True`` makes the cart exactly ``items``; otherwise quantities are added to the
    existing lines. Constant statement count whatever the number of lines. Raises
    ValidationFailed when a resulting quantity exceeds MAX_QUANTITY (nothing changed).
    """
    if not items and not replace:
        return
    with transaction.atomic():
        cart = _lock_cart(buyer=buyer)
        totals: dict[int, int] = {}
        if not replace:
            totals = dict(CartLine.objects.filter(cart=cart).values_list("product_id", "quantity"))
        products: dict[int, Product] = {}
        for product, quantity in items:
            totals[product.id] = totals.get(product.id, 0) + quantity
            products[product.id] = product
        wanted = [(product, totals[pid]) for pid, product in products.items()]
        for product, quantity in wanted:
            if quantity > MAX_QUANTITY:
                raise ValidationFailed(
                    gettext("The quantity of %(sku)s would exceed %(max)s.")
                    % {"sku": product.sku, "max": f"{MAX_QUANTITY:,}"},
                    code="invalid_quantity",
                )
        if replace:
            not_kept, kept = in_list('"product_id"', list(products), negate=True)
            execute(
                f'DELETE FROM "{CartLine._meta.db_table}" WHERE "cart_id" = %s AND {not_kept}',  # noqa: S608 - table from the model
                [cart.pk, *kept],
            )
        insert_rows(
            [CartLine(cart=cart, product=product, quantity=qty) for product, qty in wanted],
            on_conflict=("cart", "product"),
            update=("quantity",),
        )


def add_items(*, buyer: User, items: Sequence[tuple[Product, int]]) -> None:
    """Add quantities to the cart (existing lines grow). Raises ValidationFailed above MAX_QUANTITY."""
    write_cart(buyer=buyer, items=items, replace=False)


def replace_cart(*, buyer: User, raw_lines: object) -> None:
    """Make the cart exactly ``raw_lines`` (contract section 5, ``PUT /cart``), validated all or nothing.

    Raises CartLinesInvalid (every bad line, cart unchanged).
    """
    write_cart(
        buyer=buyer,
        items=resolve_cart_lines(raw_lines, customer=get_buyer_customer(user=buyer)),
        replace=True,
    )
