"""Reorder (再注文): put a past order's lines into the cart; today's prices and rules apply."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Product
from catalog.selectors import visible_products
from customers.models import User
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.services.cart import MAX_QUANTITY, add_items


@dataclass(frozen=True, slots=True)
class ReorderResult:
    added: list[tuple[Product, int]]
    unavailable: list[dict[str, str]]  # {"sku", "name", "reason"}


def reorder(*, buyer: User, number: str) -> ReorderResult:
    """Add the lines of the buyer's company's order ``number`` to the cart. Raises NotFound."""
    customer = get_buyer_customer(user=buyer)
    order = selectors.get_order(customer=customer, number=number)
    lines = sorted(order.lines.all(), key=lambda line: line.line_no)
    wanted = [line.product_id for line in lines if line.product_id]
    products = {p.id: p for p in visible_products(customer=customer).filter(id__in=wanted)}
    items: list[tuple[Product, int]] = []
    unavailable: list[dict[str, str]] = []
    for line in lines:
        product = products.get(line.product_id) if line.product_id else None
        if product is None:  # deleted, inactive or hidden from the company (表示グループ)
            unavailable.append({"sku": line.sku, "name": line.name, "reason": "not_available"})
            continue
        items.append((product, min(line.quantity, MAX_QUANTITY)))
    add_items(buyer=buyer, items=items)
    return ReorderResult(added=items, unavailable=unavailable)
