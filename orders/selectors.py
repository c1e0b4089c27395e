"""Reads for carts and orders, always scoped to one company (another company's order is 404)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from b2bshop.errors import NotFound
from b2bshop.hot_sql import fetch_first, fetch_joined, fetch_rows
from catalog.selectors import has_visibility_rules, visibility_q
from customers.models import Customer, ShipTo, User
from customers.selectors import default_ship_to, get_buyer_customer, ship_to_snapshot
from orders.models import Cart, CartLine, Order, OrderEvent, OrderLine, OrderTemplate
from pricing_rules.messages import fee_kind_label, rule_summary, scope_summary

CART_LINE_RELATED = ("product", "product__stock", "product__category")


def list_cart_lines(*, buyer: User) -> list[CartLine]:
    """The buyer's cart lines with product, stock and category, in the order they were added (one query).

    Lines of products hidden from the company since they were added are left out (表示グループ).
    Stock comes with the lines so evaluating the cart needs no stock query of its own.
    """
    customer = get_buyer_customer(user=buyer)
    if not has_visibility_rules(customer=customer):  # most companies: active products, hand-written
        return fetch_joined(
            CartLine,
            CART_LINE_RELATED,
            f'r."cart_id" = (SELECT c."id" FROM "{Cart._meta.db_table}" c WHERE c."buyer_id" = %s) '  # noqa: S608 - table name from the model
            'AND "product"."active"',
            [buyer.pk],
            tail='ORDER BY r."added_at", r."id"',
        )
    return list(
        CartLine.objects.filter(cart__buyer=buyer)
        .filter(visibility_q(customer=customer, prefix="product__"))
        .select_related(*CART_LINE_RELATED)
    )


def cart_line_count(*, buyer: User) -> int:
    """How many products are in the buyer's cart (the header badge): one COUNT on an indexed column."""
    return CartLine.objects.filter(cart__buyer=buyer).count()


def resolve_ship_to(*, customer: Customer, ship_to_id: int | None) -> dict[str, str]:
    """The snapshot of ship-to ``ship_to_id`` of ``customer`` (default when None). Raises NotFound."""
    if ship_to_id is None:
        return default_ship_to(customer=customer)
    ship_to = ShipTo.objects.filter(customer=customer, pk=ship_to_id).first()
    if ship_to is None:
        from django.utils.translation import gettext

        raise NotFound(gettext("This delivery address does not exist."), code="ship_to_not_found")
    return ship_to_snapshot(ship_to)


CreditSource = Callable[..., Decimal | None]
_credit_source: list[CreditSource] = []


def register_credit_source(source: CreditSource) -> None:
    """Plug in the one credit computation. Billing owns it (invoices and payments are its tables) and
    sits above orders, so it registers here when it loads (billing.apps) instead of orders importing it.
    """
    _credit_source[:] = [source]


def credit_available(*, customer: Customer) -> Decimal | None:
    """Credit limit minus open invoices, unpaid, and orders not yet invoiced; None = no limit.

    The one credit computation (contract section 8) lives in billing; checkout calls it after
    ``lock_customer_for_credit`` so concurrent orders of one company are counted one after another.
    """
    if not _credit_source:
        raise ImproperlyConfigured("No credit computation registered: is the billing app installed?")
    return _credit_source[0](customer=customer)


def lock_cart_for_checkout(*, buyer: User, customer: Customer) -> Cart | None:
    """Row-lock the buyer's cart and, when the company has a credit limit, the company, in one statement.

    The customer lock is what ``lock_customer_for_credit`` takes; taking it with the cart spares
    checkout a statement. Both are FOR NO KEY UPDATE then: cart writes (upserts) still wait for it.
    """
    if connection.vendor != "postgresql":  # the SQLite demo: one writer at a time, no row locks
        return fetch_first(Cart, (), 'r."buyer_id" = %s', [buyer.pk])
    if customer.credit_limit is None:
        return fetch_first(Cart, (), 'r."buyer_id" = %s', [buyer.pk], tail="FOR UPDATE")
    # Hand-written (one per checkout): inner joins, so PostgreSQL can lock the company row with the cart.
    cart_table, user_table = Cart._meta.db_table, User._meta.db_table
    columns = ", ".join(f'c."{f.column}"' for f in Cart._meta.concrete_fields)
    sql = (
        f'SELECT {columns} FROM "{cart_table}" c '  # noqa: S608 - identifiers from the models
        f'JOIN "{user_table}" u ON u."id" = c."buyer_id" '
        f'JOIN "{Customer._meta.db_table}" k ON k."id" = u."customer_id" '
        'WHERE c."buyer_id" = %s AND k."id" = %s FOR NO KEY UPDATE OF c, k'
    )
    rows = fetch_rows(sql, [buyer.pk, customer.pk])
    if not rows:
        return None
    return Cart.from_db(connection.alias, [f.attname for f in Cart._meta.concrete_fields], rows[0])


def lock_customer_for_credit(*, customer: Customer) -> None:
    """Row-lock the customer (FOR NO KEY UPDATE) for the rest of the transaction, when it has a limit.

    Two checkouts of one company then compute the exposure one after the other, so together they
    never pass the limit. Inserts that merely reference the customer (other rows' FKs) do not wait.
    """
    if customer.credit_limit is not None:
        list(Customer.objects.select_for_update(no_key=True).filter(pk=customer.pk).values_list("pk"))


def erp_orders() -> QuerySet[Order]:
    """Orders the ERP may see: not those awaiting approval, nor those rejected or expired before approval."""
    from orders.services.approval import EXPIRED, REJECTED

    never_pushed = OrderEvent.objects.filter(order_id=OuterRef("pk"), type__in=[REJECTED, EXPIRED])
    return Order.objects.exclude(status=Order.Status.AWAITING_APPROVAL).exclude(Exists(never_pushed))


def list_orders(*, customer: Customer) -> QuerySet[Order]:
    """Own company's orders, newest first."""
    return Order.objects.filter(customer=customer).select_related("customer").order_by("-placed_at", "-id")


@dataclass(frozen=True, slots=True)
class OrderFilters:
    """Order history search: a word (order number, PO number, SKU or product name) and a date range."""

    query: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search_orders(*, customer: Customer, filters: OrderFilters) -> QuerySet[Order]:
    """The company's orders matching ``filters``, newest first.

    Always within one company (indexed on customer), so the substring matches scan only its orders.
    """
    queryset = list_orders(customer=customer)
    word = unicodedata.normalize("NFKC", filters.query).strip()
    if word:
        lines = OrderLine.objects.filter(order_id=OuterRef("pk")).filter(
            Q(sku__iexact=word) | Q(sku__istartswith=word) | Q(name__contains=word)
        )
        queryset = queryset.filter(
            Q(number__istartswith=word) | Q(po_number__contains=word) | Q(Exists(lines))
        )
    if filters.date_from is not None:
        queryset = queryset.filter(placed_at__date__gte=filters.date_from)
    if filters.date_to is not None:
        queryset = queryset.filter(placed_at__date__lte=filters.date_to)
    return queryset


OPEN_STATUSES = (Order.Status.AWAITING_APPROVAL, Order.Status.CONFIRMED, Order.Status.ACCEPTED)
"""Placed and not yet shipped or cancelled: what a customer calling about an order is likely asking about."""


def list_open_orders(*, customer: Customer, limit: int = 10) -> list[Order]:
    """The customer's open orders, newest first (one query)."""
    return list(
        Order.objects.filter(customer=customer, status__in=OPEN_STATUSES).order_by("-placed_at", "-id")[
            :limit
        ]
    )


def orders_with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.prefetch_related(
        "lines",
        "fees",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("occurred_at", "id")),
    )


def get_order(*, customer: Customer, number: str) -> Order:
    """One order of ``customer`` with lines, fees and events. Another company's order: NotFound."""
    order = orders_with_details(list_orders(customer=customer)).filter(number=number).first()
    if order is None:
        from django.utils.translation import gettext

        raise NotFound(gettext("Order not found."), code="order_not_found")
    return order


def list_templates(*, customer: Customer) -> QuerySet[OrderTemplate]:
    return OrderTemplate.objects.filter(customer=customer).prefetch_related("lines__product")


def get_template(*, customer: Customer, template_id: int) -> OrderTemplate:
    template = list_templates(customer=customer).filter(pk=template_id).first()
    if template is None:
        raise NotFound("template not found")
    return template


def snapshot_view(*, order: Order) -> dict[str, Any]:
    """The order's snapshot as tables for staff: fees with labels, rules applied with their values, tax per rate.

    Reads only the stored snapshot and fee rows, never today's rules or prices.
    """
    snapshot = order.snapshot or {}
    fees = [
        {
            "label": fee_kind_label(fee.get("kind", "")),
            "amount": fee.get("amount"),
            "tax_rate": fee.get("tax_rate"),
            "rule": fee.get("rule", ""),
        }
        for fee in snapshot.get("fees", [])
    ]
    rule_codes_by_sku = {line.get("sku"): line.get("rule_codes", []) for line in snapshot.get("lines", [])}
    lines = [
        {
            "line_no": line.line_no,
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "amount": line.amount,
            "tax_rate": line.tax_rate,
            "rules": ", ".join(rule_codes_by_sku.get(line.sku, [])),
        }
        for line in order.lines.all()
    ]
    rules = [
        {
            "code": doc.get("code", ""),
            "kind": doc.get("kind", ""),
            "summary": rule_summary(doc),
            "scope": scope_summary(doc.get("scope")),
        }
        for doc in snapshot.get("rules", [])
    ]
    tax = [
        {"rate": rate, "amount": amount}
        for rate, amount in sorted(snapshot.get("tax", {}).items(), key=lambda item: -int(item[0]))
    ]
    return {
        "evaluated_on": snapshot.get("evaluated_on", ""),
        "lines": lines,
        "fees": fees,
        "rules": rules,
        "tax": tax,
    }
