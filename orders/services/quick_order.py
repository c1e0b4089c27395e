"""Quick order (クイック注文): lines of ``SKU quantity`` typed, pasted or uploaded as CSV.

Bad lines are reported with their line number; the good ones are still added to the cart.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext

from b2bshop.errors import ApplicationError
from catalog.limits import quantity_limits
from catalog.models import Product
from catalog.selectors import visible_products
from catalog.sku import InvalidSku, normalize_sku
from customers.models import Customer, User
from customers.selectors import get_buyer_customer
from orders.services.cart import add_items, parse_quantity

MAX_LINES = 500
_SPLIT = re.compile(r"[\s,;\t\u3000]+")
_HEADER_WORDS = {"sku", "品番", "商品コード", "code"}


@dataclass(frozen=True, slots=True)
class LineError:
    line_no: int
    text: str
    message: str


@dataclass(slots=True)
class QuickOrderResult:
    added: list[tuple[Product, int]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def _rows_from_text(text: str) -> list[tuple[int, str, list[str]]]:
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        rows.append((number, stripped, [part for part in _SPLIT.split(stripped) if part]))
    return rows


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM) or Shift_JIS/CP932, as Japanese spreadsheets save CSV."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(gettext("The file is not UTF-8 or Shift_JIS text."), code="invalid_file")


def _rows_from_csv(text: str) -> list[tuple[int, str, list[str]]]:
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        parts = [cell.strip() for cell in cells if cell.strip()]
        if not parts or parts[0].startswith("#"):
            continue
        rows.append((number, ",".join(cells), parts))
    return rows


def parse_lines(rows: list[tuple[int, str, list[str]]]) -> tuple[list[tuple[int, str, int]], list[LineError]]:
    """Split rows into (line_no, sku, quantity) and errors; no database access."""
    entries: list[tuple[int, str, int]] = []
    errors: list[LineError] = []
    for index, (number, text, parts) in enumerate(rows):
        if index == 0 and parts and parts[0].lower() in _HEADER_WORDS:
            continue  # a header row
        if len(entries) + len(errors) >= MAX_LINES:
            errors.append(
                LineError(number, text, gettext("Too many lines; at most %(max)s.") % {"max": MAX_LINES})
            )
            break
        if len(parts) != 2:
            errors.append(LineError(number, text, gettext('Write one "SKU quantity" per line.')))
            continue
        raw_sku, raw_quantity = parts
        try:
            # The one SKU rule: full-width ＢＯＬ－００００１ is BOL-00001, as search already accepts.
            sku = normalize_sku(raw_sku)
        except InvalidSku as exc:
            errors.append(LineError(number, text, exc.message))
            continue
        try:
            quantity = parse_quantity(raw_quantity, allow_zero=False)
        except ApplicationError as exc:
            errors.append(LineError(number, text, exc.message))
            continue
        entries.append((number, sku, quantity))
    return entries, errors


def resolve_entries(
    entries: list[tuple[int, str, int]], *, customer: Customer
) -> tuple[list[tuple[Product, int]], list[LineError]]:
    """Look the SKUs (or JAN codes) up in one query; unknown, inactive or hidden ones become line errors."""
    wanted = {sku for _n, sku, _q in entries} | {sku.upper() for _n, sku, _q in entries}
    products: dict[str, Product] = {}
    if wanted:
        for p in visible_products(customer=customer).filter(
            Q(sku__in=wanted) | Q(jan_code__in=wanted), active=True
        ):
            products[p.sku.upper()] = p
            if p.jan_code:
                products.setdefault(p.jan_code, p)  # a SKU that looks like a JAN code wins
    items: list[tuple[Product, int]] = []
    errors: list[LineError] = []
    for number, sku, quantity in entries:
        product = products.get(sku.upper())
        if product is None:
            errors.append(
                LineError(
                    number, f"{sku} {quantity}", gettext("Product %(sku)s was not found.") % {"sku": sku}
                )
            )
            continue
        items.append((product, quantity))
    return items, errors


def _read_rows(
    rows: list[tuple[int, str, list[str]]], *, customer: Customer
) -> tuple[list[tuple[Product, int]], list[LineError]]:
    entries, errors = parse_lines(rows)
    items, unknown = resolve_entries(entries, customer=customer)
    return items, sorted(errors + unknown, key=lambda e: e.line_no)


def read_lines(text: str, *, customer: Customer) -> tuple[list[tuple[Product, int]], list[LineError]]:
    """Typed or pasted ``SKU quantity`` lines as (product, quantity) items and line errors.

    The one reader for typed lines, shared by quick order and the staff proxy order, so
    ``BOLT-1,10``, ``BOLT-1 10`` and ``BOLT-1<tab>10`` mean the same everywhere.
    """
    return _read_rows(_rows_from_text(text), customer=customer)


def quick_order(*, buyer: User, text: str = "", csv_bytes: bytes | None = None) -> QuickOrderResult:
    """Add the good lines to the buyer's cart and return the bad ones (sorted by line number)."""
    rows = _rows_from_csv(decode_upload(csv_bytes)) if csv_bytes is not None else _rows_from_text(text)
    items, errors = _read_rows(rows, customer=get_buyer_customer(user=buyer))
    result = QuickOrderResult(errors=errors)
    try:
        add_items(buyer=buyer, items=items)
    except ApplicationError as exc:
        result.errors.append(LineError(0, "", exc.message))
        return result
    result.added = items
    return result


def example_line(*, customer: Customer, on: date) -> str:
    """A real "SKU quantity" line for the help text: a product this company can order, at a valid quantity."""
    product = visible_products(customer=customer).filter(active=True).order_by("sku").first()
    if product is None:
        return ""
    limits = quantity_limits(customer=customer, products=[product], on=on)[product.id]
    return f"{product.sku} {limits.smallest_valid or 1}"
