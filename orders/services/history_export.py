"""Order history as CSV (注文履歴のエクスポート): one row per order line, safe for spreadsheets.

Written through ``b2bshop.csv_safe`` so a product name or PO number starting with "=" cannot
run as a formula; UTF-8 with a BOM so Excel opens the Japanese text correctly.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from b2bshop.csv_safe import safe_writer
from b2bshop.money import money_str
from customers.models import Customer
from orders import selectors
from orders.models import Order

MAX_EXPORT_ORDERS = 5000
"""Most orders one export holds; narrow the dates for more."""


def write_history_csv(*, customer: Customer, filters: selectors.OrderFilters, out: Any) -> int:
    """Write the company's matching orders to ``out`` (a text stream); returns the number of orders.

    Two queries whatever the number of orders (orders, then their lines).
    """
    orders = list(
        selectors.search_orders(customer=customer, filters=filters).prefetch_related("lines")[
            :MAX_EXPORT_ORDERS
        ]
    )
    out.write("\ufeff")
    writer = safe_writer(out)
    writer.writerow(
        [
            gettext("Order number"),
            gettext("Ordered at"),
            gettext("Status"),
            gettext("Your PO number"),
            gettext("Line"),
            gettext("SKU"),
            gettext("Product"),
            gettext("Quantity"),
            gettext("Unit"),
            gettext("Unit price"),
            gettext("Amount"),
            gettext("Order total"),
        ]
    )
    for order in orders:
        _write_order(writer, order)
    return len(orders)


def _write_order(writer: Any, order: Order) -> None:
    placed = timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M")
    for line in sorted(order.lines.all(), key=lambda line: line.line_no):
        writer.writerow(
            [
                order.number,
                placed,
                order.get_status_display(),
                order.po_number,
                line.line_no,
                line.sku,
                line.name,
                line.quantity,
                line.unit,
                money_str(line.unit_price),
                money_str(line.amount),
                money_str(order.total),
            ]
        )
