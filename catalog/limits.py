"""What one buyer may order of each product, from the trading-rules engine itself.

The engine's input builders live here (catalog sits below orders), so the product page, lists,
quick order, the store API and the cart all ask ``pricing_rules.engine.line_limits`` the same
question with the same inputs: a page never promises a minimum the cart then refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from catalog.models import Product
from customers.models import Customer
from customers.selectors import default_ship_to
from pricing_rules import engine
from pricing_rules.selectors import list_rules


def category_chains(products: Sequence[Product]) -> dict[int, tuple[str, ...]]:
    """Category code plus every ancestor's, per category id (the cached category tree, no query)."""
    # Imported here: catalog.selectors imports this module for quantity_limits.
    from catalog.selectors import category_codes

    if not any(p.category_id for p in products):
        return {}
    tree = category_codes()
    chains: dict[int, tuple[str, ...]] = {}
    for product in products:
        cid = product.category_id
        if cid is None or cid in chains:
            continue
        codes: list[str] = []
        current: int | None = cid
        while current is not None and current in tree and len(codes) < 10:
            code, parent = tree[current]
            codes.append(code)
            current = parent
        chains[cid] = tuple(codes)
    return chains


def engine_product(
    product: Product, *, chains: dict[int, tuple[str, ...]], available: int | None
) -> engine.Product:
    """The engine's view of a catalog product; ``available=None`` leaves stock unchecked.

    The one input builder for the engine: the cart, checkout, product pages and the what-if
    replay (insights) all build their engine products here.
    """
    return engine.Product(
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        category_codes=chains.get(product.category_id, ()) if product.category_id else (),
        case_quantity=product.case_quantity,
        moq=product.moq,
        order_multiple=product.order_multiple,
        max_quantity=product.max_quantity,
        tax_rate=product.tax_rate,
        active=product.active,
        available=available,
    )


def engine_buyer(
    customer: Customer, *, ship_to_prefecture: str, credit_available: Decimal | None, ec_enabled: bool
) -> engine.Buyer:
    """The engine's view of the ordering company. ``customer.price_group`` should be select_related."""
    group = customer.price_group if customer.price_group_id else None
    return engine.Buyer(
        customer_code=customer.code,
        price_group=group.code if group is not None else None,
        prefecture=ship_to_prefecture,
        ec_enabled=ec_enabled,
        credit_available=credit_available,
    )


def quantity_limits(
    *,
    customer: Customer | None,
    products: Sequence[Product],
    on: date,
    ship_to_prefecture: str | None = None,
) -> dict[int, engine.LineLimits]:
    """The engine's effective minimum / multiple / maximum per product id for this buyer.

    ``ship_to_prefecture=None`` means the company's default ship-to, as the cart uses, looked
    up only when some rule is scoped by prefecture. Staff browsing (``customer=None``) see the
    rules that apply to everyone. One query, plus the category tree or the default ship-to only
    when a rule needs them.
    """
    if not products:
        return {}
    # Only quantity rules matter here; fee rules scoped by prefecture must not cost a ship-to read.
    rules = [rule for rule in list_rules(on=on) if rule.kind in engine.LINE_KINDS]
    chains = category_chains(products) if any(rule.scope.categories for rule in rules) else {}
    if ship_to_prefecture is None:
        ship_to_prefecture = ""
        if customer is not None and any(rule.scope.prefectures for rule in rules):
            ship_to_prefecture = default_ship_to(customer=customer)["prefecture"]
    if customer is None:
        buyer = engine.Buyer(customer_code="", prefecture=ship_to_prefecture)
    else:
        buyer = engine_buyer(
            customer, ship_to_prefecture=ship_to_prefecture, credit_available=None, ec_enabled=True
        )
    return {
        p.id: engine.line_limits(
            product=engine_product(p, chains=chains, available=None), buyer=buyer, rules=rules, on=on
        )
        for p in products
    }
