"""Catalog reads for buyers: the one visible-products query, search, availability badges.

Search (名前・カナ・品番・JAN) runs on ``Product.search_text`` — NFKC-normalised, lower-cased,
hiragana folded to katakana (``catalog.text.normalize_search``) — with a substring match
that PostgreSQL answers from the trigram GIN index (``catalog_product_search_trgm``), plus
exact and prefix matches on SKU and JAN (B-tree ``*_like`` indexes). Exact SKU/JAN hits
come first. No ``icontains`` (``UPPER(...) LIKE``) scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from catalog.models import Category, Product, Stock
from catalog.prices import PriceSheet, price_sheets
from catalog.text import normalize_search

if TYPE_CHECKING:
    from customers.models import Customer

IN_STOCK = "in_stock"
LOW_STOCK = "low_stock"
OUT_OF_STOCK = "out_of_stock"

_CODE_LIKE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_.]*$")


def low_stock_threshold(*, moq: int | None, order_multiple: int | None) -> int:
    """Below this many available units the badge says 残りわずか.

    ``CATALOG_LOW_STOCK_UNITS`` (default 10), or twice the smallest order a buyer can place
    (the larger of MOQ and order multiple) when that is larger: 30 units left of a product
    sold in cases of 24 is "few", 30 screws sold singly is not.
    """
    smallest_order = max(moq or 1, order_multiple or 1)
    return max(settings.CATALOG_LOW_STOCK_UNITS, 2 * smallest_order)


def availability(*, available: int, moq: int | None, order_multiple: int | None) -> str:
    """in_stock / low_stock / out_of_stock. Out of stock also when the minimum order cannot be met."""
    smallest_order = max(moq or 1, order_multiple or 1)
    if available < smallest_order:
        return OUT_OF_STOCK
    if available < low_stock_threshold(moq=moq, order_multiple=order_multiple):
        return LOW_STOCK
    return IN_STOCK


def visible_products() -> QuerySet[Product]:
    """Products a buyer may see: active ones, with stock and category joined. Every buyer page and API uses this.

    No annotations on purpose: ``count()`` for pagination then stays a plain count on one table.
    """
    return Product.objects.filter(active=True).select_related("stock", "category")


def category_scope(*, category: Category) -> Q:
    """The category and its descendants (the tree is at most three levels deep).

    A subquery of category ids rather than joins, so PostgreSQL walks the (category, sku) index
    instead of filtering every product in SKU order.
    """
    subtree = Category.objects.filter(Q(pk=category.pk) | Q(parent=category) | Q(parent__parent=category))
    return Q(category_id__in=subtree.values("pk"))


def search_products(queryset: QuerySet[Product], *, query: str) -> QuerySet[Product]:
    """Filter by every word of `query` (name, kana in hiragana or katakana, SKU, JAN); exact code hits first."""
    raw = " ".join((query or "").split())
    normalized = normalize_search(raw)
    if not normalized:
        return queryset
    words = normalized.split(" ")
    text_match = Q()
    for word in words:
        # LIKE on the already-normalised column: answered by the trigram GIN index.
        text_match &= Q(search_text__contains=word)
    code = raw.replace(" ", "")
    code_match = Q()
    rank = Value(2)
    if _CODE_LIKE.match(code):
        variants = sorted({code, code.upper()})
        code_match = Q(sku__in=variants) | Q(jan_code=code) | Q(sku__startswith=code.upper())
        if code.isdigit():
            code_match |= Q(jan_code__startswith=code)
        rank = Case(
            When(Q(sku__in=variants) | Q(jan_code=code), then=Value(0)),
            When(sku__startswith=code.upper(), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    return queryset.filter(text_match | code_match).annotate(search_rank=rank).order_by("search_rank", "sku")


def list_products(*, search: str = "", category: Category | None = None) -> QuerySet[Product]:
    """Visible products, optionally in a category subtree and matching a search, in SKU order."""
    queryset = visible_products()
    if category is not None:
        queryset = queryset.filter(category_scope(category=category))
    if search and search.strip():
        return search_products(queryset, query=search)
    return queryset.order_by("sku")


def page_of(queryset: QuerySet[Product], *, page: int, size: int) -> tuple[list[Product], bool]:
    """One page and whether another follows, in ONE query (size + 1 rows) and without COUNT(*).

    Counting 50,000 products (or every hit of a broad search) cost more than the rest of the request,
    so lists page with next/previous only.
    """
    page = max(page, 1)
    offset = (page - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return rows[:size], len(rows) > size


def get_category(*, code: str) -> Category | None:
    return Category.objects.select_related("parent__parent").filter(code=code).first()


def category_tree() -> list[Category]:
    """Top-level categories with children and grandchildren prefetched (two queries... three at most)."""
    return list(Category.objects.filter(parent__isnull=True).prefetch_related("children__children"))


def get_visible_product(*, sku: str) -> Product | None:
    return visible_products().select_related("category__parent").filter(sku=sku).first()


@dataclass(frozen=True, slots=True)
class ProductOffer:
    """A product as one buyer sees it: their price sheet and the availability badge."""

    product: Product
    sheet: PriceSheet
    available: int
    availability: str

    @property
    def unit_price(self) -> Decimal:
        return self.sheet.unit_price(1)

    @property
    def tiers(self) -> list[tuple[int, Decimal]]:
        return self.sheet.tiers()

    @property
    def min_quantity(self) -> int:
        """The smallest valid order: MOQ rounded up to the order multiple."""
        step = self.product.order_multiple or 1
        moq = self.product.moq or 1
        return -(-moq // step) * step

    @property
    def step(self) -> int:
        return self.product.order_multiple or 1


def offers_for(*, customer: Customer | None, products: list[Product], on: date) -> list[ProductOffer]:
    """This customer's view of `products` (from ``visible_products``): one price query for all of them."""
    sheets = price_sheets(customer=customer, products=products, on=on)
    offers = []
    for p in products:
        try:
            available = p.stock.available
        except Stock.DoesNotExist:  # a product the ERP has never reported stock for
            available = 0
        offers.append(
            ProductOffer(
                product=p,
                sheet=sheets[p.id],
                available=available,
                availability=availability(available=available, moq=p.moq, order_multiple=p.order_multiple),
            )
        )
    return offers
