"""The staff proxy order's preview (代理注文): the customer, the typed lines and their evaluation.

Lines are read by quick order's reader, and priced by the same ``evaluate_cart`` as the
buyer's own cart, so staff see exactly what the buyer would see and cannot waive a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext

from b2bshop.errors import NotFound
from catalog.models import Product
from customers.models import Customer
from orders import selectors
from orders.services.cart import evaluate_cart
from orders.services.quick_order import LineError, read_lines
from pricing_rules import engine

__all__ = ["ProxyPreview", "preview_proxy_order"]


@dataclass(frozen=True, slots=True)
class ProxyPreview:
    """What the proxy screen shows; ``evaluation`` is None while any line is unreadable."""

    customer: Customer
    items: list[tuple[Product, int]] = field(default_factory=list)
    line_errors: list[LineError] = field(default_factory=list)
    ship_to: dict[str, str] = field(default_factory=dict)
    evaluation: engine.Evaluation | None = None


def preview_proxy_order(
    *, customer_code: str, lines: str, ship_to_id: int | None, on: date, channel: str
) -> ProxyPreview:
    """Read ``lines`` for customer ``customer_code`` and price them as of ``on`` for ``channel``.

    Raises ``NotFound`` with code ``customer_not_found`` or ``ship_to_not_found``.
    """
    customer = Customer.objects.select_related("price_group").filter(code=customer_code.strip()).first()
    if customer is None:
        raise NotFound(gettext("No customer with this code."), code="customer_not_found")
    items, errors = read_lines(lines, customer=customer)
    if errors:
        return ProxyPreview(customer=customer, items=items, line_errors=errors)
    ship_to = selectors.resolve_ship_to(customer=customer, ship_to_id=ship_to_id)
    evaluation = evaluate_cart(
        customer=customer,
        lines=items,
        ship_to_prefecture=ship_to.get("prefecture", ""),
        on=on,
        credit_available=selectors.credit_available(customer=customer),
        channel=channel,
    )
    return ProxyPreview(customer=customer, items=items, ship_to=ship_to, evaluation=evaluation)
