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
from customers.selectors import search_customers
from orders import selectors
from orders.services.cart import evaluate_cart
from orders.services.quick_order import LineError, read_lines
from pricing_rules import engine

__all__ = ["ProxyPreview", "find_proxy_customer", "preview_proxy_order"]


@dataclass(frozen=True, slots=True)
class ProxyPreview:
    """What the proxy screen shows; ``evaluation`` is None while any line is unreadable."""

    customer: Customer | None
    candidates: list[Customer] = field(default_factory=list)
    items: list[tuple[Product, int]] = field(default_factory=list)
    line_errors: list[LineError] = field(default_factory=list)
    ship_to: dict[str, str] = field(default_factory=dict)
    evaluation: engine.Evaluation | None = None


def find_proxy_customer(*, query: str) -> tuple[Customer | None, list[Customer]]:
    """The customer staff mean: an exact code or the only match wins, else the candidates to choose from.

    Raises ``NotFound`` (``customer_not_found``) when nothing matches.
    """
    found = search_customers(query=query)
    if not found:
        raise NotFound(
            gettext("No customer matches this name, kana, code or phone."), code="customer_not_found"
        )
    if len(found) == 1 or found[0].code.lower() == query.strip().lower():
        return found[0], []
    return None, found


def preview_proxy_order(
    *, customer_code: str, lines: str, ship_to_id: int | None, on: date, channel: str
) -> ProxyPreview:
    """Read ``lines`` for the customer ``customer_code`` names and price them as of ``on`` for ``channel``.

    ``customer_code`` may be a name, kana or phone too; several matches give ``candidates`` and no
    evaluation. Raises ``NotFound`` with code ``customer_not_found`` or ``ship_to_not_found``.
    """
    match, candidates = find_proxy_customer(query=customer_code)
    if match is None:
        return ProxyPreview(customer=None, candidates=candidates)
    customer = Customer.objects.select_related("price_group").get(pk=match.pk)
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
