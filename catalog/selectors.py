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
from django.db.models import Case, Exists, F, IntegerField, Q, QuerySet, Value, When

from b2bshop.hot_sql import fetch_joined, fetch_rows, in_list
from b2bshop.versions import cached
from catalog.limits import quantity_limits
from catalog.models import Category, Product, Stock, VisibilityRule
from catalog.prices import PriceSheet, price_sheets
from catalog.text import normalize_search
from pricing_rules.engine import LineLimits
from pricing_rules.messages import limits_sentence

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


def _rules_for(customer: Customer, effect: str) -> QuerySet[VisibilityRule]:
    subject = Q(customer_id=customer.pk)
    if customer.price_group_id:
        subject |= Q(price_group_id=customer.price_group_id)
    return VisibilityRule.objects.filter(subject, effect=effect)


def _targets(rules: QuerySet[VisibilityRule], prefix: str) -> Q:
    """Products named by ``rules``: their products, and every product in their categories' subtrees."""
    categories = rules.filter(category__isnull=False).values("category_id")
    subtree = Category.objects.filter(
        Q(pk__in=categories) | Q(parent_id__in=categories) | Q(parent__parent_id__in=categories)
    ).values("pk")
    products = rules.filter(product__isnull=False).values("product_id")
    return Q(**{f"{prefix}category_id__in": subtree}) | Q(**{f"{prefix}pk__in": products})


def _load_rule_subjects() -> frozenset[tuple[str, int]]:
    rows = VisibilityRule.objects.values_list("customer_id", "price_group_id").distinct()
    return frozenset(
        ("customer", cid) if cid is not None else ("price_group", gid) for cid, gid in rows if cid or gid
    )


def has_visibility_rules(*, customer: Customer) -> bool:
    """Whether any visibility rule names the company or its price group (per-process cache, versioned).

    Most companies have none: their products are then filtered on ``active`` alone, without the
    rule subqueries that cost more to compile and plan than the rest of a cart query.
    """
    subjects = cached(VisibilityRule._meta.db_table, _load_rule_subjects)
    return ("customer", customer.pk) in subjects or (
        customer.price_group_id is not None and ("price_group", customer.price_group_id) in subjects
    )


def visibility_q(*, customer: Customer | None, prefix: str = "") -> Q:
    """THE rule for who may see and order a product (表示グループ), as a filter on Product.

    Active, and for a buyer's company: not hidden by a visibility rule of the company or its
    price group, and, if any "allow" rule applies, named by one. ``prefix`` applies the same
    rule through a relation (``"product__"`` on cart lines). Subqueries only: no extra query,
    no join on the outer query. ``customer=None`` (staff browsing) sees every active product.
    """
    rule = Q(**{f"{prefix}active": True})
    if customer is None or not has_visibility_rules(customer=customer):
        return rule
    hide = _rules_for(customer, VisibilityRule.Effect.HIDE)
    allow = _rules_for(customer, VisibilityRule.Effect.ALLOW)
    return rule & ~_targets(hide, prefix) & (~Q(Exists(allow)) | _targets(allow, prefix))


def visible_products(*, customer: Customer | None) -> QuerySet[Product]:
    """Products this buyer's company may see and order, with stock and category joined.

    Every buyer lookup of a product goes through this (pages, store API, cart, quick order,
    reorder, templates): a hidden product is 404 everywhere. No annotations on purpose:
    ``count()`` for pagination then stays a plain count on one table.
    """
    return Product.objects.filter(visibility_q(customer=customer)).select_related("stock", "category")


def visible_category_ids(*, customer: Customer | None, categories: list[Category]) -> set[int] | None:
    """Ids among ``categories`` (the whole small tree) the company may browse; None = all of them.

    A category is hidden with its subtree by a "hide" rule; with "allow" rules only the allowed
    categories, their sub-categories and the path down to them (and to allowed products) remain.
    One query over the company's rules.
    """
    if customer is None or not has_visibility_rules(customer=customer):
        return None
    subject = Q(customer_id=customer.pk)
    if customer.price_group_id:
        subject |= Q(price_group_id=customer.price_group_id)
    rules = list(
        VisibilityRule.objects.filter(subject).values_list("effect", "category_id", "product__category_id")
    )
    if not rules:
        return None
    parent = {c.pk: c.parent_id for c in categories}

    def chain(cid: int | None) -> list[int]:
        out: list[int] = []
        while cid is not None and cid in parent and len(out) < 10:
            out.append(cid)
            cid = parent[cid]
        return out

    hidden = {cid for effect, cid, _pcid in rules if effect == VisibilityRule.Effect.HIDE and cid}
    visible = set(parent)
    allows = [(cid, pcid) for effect, cid, pcid in rules if effect == VisibilityRule.Effect.ALLOW]
    if allows:
        allowed_roots = {cid for cid, _p in allows if cid}
        visible = set()
        for cid in parent:
            path = chain(cid)
            if allowed_roots.intersection(path):  # inside an allowed subtree
                visible.add(cid)
        for cid, pcid in allows:  # the way down to an allowed category or product stays browsable
            visible.update(chain(cid or pcid))
    return {cid for cid in visible if not hidden.intersection(chain(cid))}


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
    rank: Value | Case = Value(2)
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


SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_kana", "name", "sku"),
    "price": ("base_price", "sku"),
    "price_desc": ("-base_price", "sku"),
    "newest": ("-created_at", "sku"),
}
"""List orders a buyer can pick (price = list price: the buyer's own prices follow it)."""


def list_products(
    *,
    customer: Customer | None,
    search: str = "",
    category: Category | None = None,
    sort: str = "",
    in_stock: bool = False,
) -> QuerySet[Product]:
    """Products visible to ``customer``, optionally in a category subtree, matching a search, in stock.

    Default order: SKU (search: exact code hits first); ``sort`` is a key of ``SORTS``.
    ``in_stock`` keeps products with at least one unit available.
    """
    queryset = visible_products(customer=customer)
    if category is not None:
        queryset = queryset.filter(category_scope(category=category))
    if in_stock:
        queryset = queryset.filter(stock__on_hand__gt=F("stock__held"))
    if search and search.strip():
        queryset = search_products(queryset, query=search)
        if sort in SORTS:
            return queryset.order_by("search_rank", *SORTS[sort])  # type: ignore[misc]  # search_rank is annotated by search_products
        return queryset
    return queryset.order_by(*SORTS.get(sort, ("sku",)))


COUNT_CAP = 1000
"""Result counts stop here ("1,000件以上"): counting 50,000 rows costs more than the page itself."""


def count_capped(queryset: QuerySet[Product]) -> int:
    """How many rows ``queryset`` has, up to COUNT_CAP + 1 (one bounded COUNT over a LIMIT subquery)."""
    return queryset.order_by().values("pk")[: COUNT_CAP + 1].count()


def page_of(queryset: QuerySet[Product], *, page: int, size: int) -> tuple[list[Product], bool]:
    """One page and whether another follows, in ONE query (size + 1 rows) and without COUNT(*).

    Counting 50,000 products (or every hit of a broad search) cost more than the rest of the request,
    so lists page with next/previous only.
    """
    page = max(page, 1)
    offset = (page - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return rows[:size], len(rows) > size


@dataclass(frozen=True, slots=True)
class ProductPage:
    """One page of a product list, whether another follows, and the result count (capped)."""

    products: list[Product]
    has_next: bool
    count: int
    """Up to ``COUNT_CAP + 1``: more than COUNT_CAP reads "more than 1,000"."""


def product_page(
    *,
    customer: Customer | None,
    search: str,
    category: Category | None,
    sort: str,
    in_stock: bool,
    page: int,
    size: int,
) -> ProductPage:
    """Page ``page`` of ``list_products(...)`` and its capped count, in one or two statements.

    A category page (no search) for a company without visibility rules (most of them; staff too)
    reads through two hand-written statements: compiling the ORM's page and count queries cost more
    CPU than PostgreSQL spends on them (tools/profile_product_page.py --page list). Same rows,
    same order, same count as the ORM path, which every other list keeps.
    """
    page = max(page, 1)
    fast = (
        category is not None
        and not search.strip()
        and (customer is None or not has_visibility_rules(customer=customer))
    )
    if fast and category is not None:
        return _category_page(category=category, sort=sort, in_stock=in_stock, page=page, size=size)
    queryset = list_products(
        customer=customer, search=search, category=category, sort=sort, in_stock=in_stock
    )
    products, has_next = page_of(queryset, page=page, size=size)
    # The whole result on one page needs no COUNT.
    count = len(products) if page == 1 and not has_next else count_capped(queryset)
    return ProductPage(products=products, has_next=has_next, count=count)


# ORDER BY for each of SORTS, on the product table (``fetch_joined``'s "r"); "" is the default (SKU).
_SORT_SQL = {
    "": 'r."sku"',
    "name": 'r."name_kana", r."name", r."sku"',
    "price": 'r."base_price", r."sku"',
    "price_desc": 'r."base_price" DESC, r."sku"',
    "newest": 'r."created_at" DESC, r."sku"',
}


def _subtree_ids(category: Category) -> list[int]:
    """The category, its children and grandchildren (``category_scope``), from the cached tree."""
    parent_of = {cid: parent for cid, (_code, parent) in category_codes().items()}
    return sorted(
        cid
        for cid, parent in parent_of.items()
        if cid == category.pk
        or parent == category.pk
        or (parent is not None and parent_of.get(parent) == category.pk)
    )


def _category_page(*, category: Category, sort: str, in_stock: bool, page: int, size: int) -> ProductPage:
    """``product_page`` for a category and a company without visibility rules (active products only)."""
    ids = _subtree_ids(category)
    in_subtree, id_params = in_list('r."category_id"', ids)
    where = f'r."active" AND {in_subtree}'
    if in_stock:
        where += ' AND "stock"."on_hand" > "stock"."held"'
    rows = fetch_joined(
        Product,
        ("stock",),
        where,
        [*id_params, size + 1, (page - 1) * size],
        tail=f"ORDER BY {_SORT_SQL.get(sort, _SORT_SQL[''])} LIMIT %s OFFSET %s",
    )
    products, has_next = rows[:size], len(rows) > size
    if page == 1 and not has_next:
        return ProductPage(products=products, has_next=False, count=len(products))
    join = f'JOIN "{Stock._meta.db_table}" "stock" ON "stock"."product_id" = r."id" ' if in_stock else ""
    sql = f'SELECT COUNT(*) FROM (SELECT r."id" FROM "{Product._meta.db_table}" r {join}WHERE {where} LIMIT %s) t'  # noqa: S608
    ((count,),) = fetch_rows(sql, [*id_params, COUNT_CAP + 1])
    return ProductPage(products=products, has_next=has_next, count=count)


_CATEGORY_FIELDS = ("id", "code", "name", "name_en", "parent_id", "sort_order")


@dataclass(frozen=True, slots=True)
class _CategoryTree:
    """The cached category rows and their indexes (read-only: shared by every request of the process)."""

    rows: tuple[tuple, ...]
    by_id: dict[int, tuple]
    by_code: dict[str, tuple]
    codes: dict[int, tuple[str, int | None]]


def _load_categories() -> _CategoryTree:
    rows = tuple(Category.objects.values_list(*_CATEGORY_FIELDS))
    return _CategoryTree(
        rows=rows,
        by_id={row[0]: row for row in rows},
        by_code={row[1]: row for row in rows},
        codes={cid: (code, parent) for cid, code, _name, _name_en, parent, _order in rows},
    )


def _tree() -> _CategoryTree:
    return cached(Category._meta.db_table, _load_categories)


def all_categories() -> list[Category]:
    """Every category, in tree order, as fresh instances (the small tree, cached per process).

    The rows are cached behind the category table's version (``b2bshop.versions``); instances are
    built anew on every call because callers attach per-company children to them.
    """
    return [Category(**dict(zip(_CATEGORY_FIELDS, row, strict=True))) for row in _tree().rows]


def category_codes() -> dict[int, tuple[str, int | None]]:
    """Category id -> (code, parent id), for the rule engine's category chains; no query when cached.

    Shared by every caller of this process: read it, never change it.
    """
    return _tree().codes


def _with_parents(row: tuple, tree: _CategoryTree) -> Category:
    """A fresh category from a cached row, its parents linked up to the root (breadcrumbs, no join).

    Only the category's own chain is built: the product and category pages used to build the
    whole tree (120 instances on the bench's catalog) for two breadcrumb links.
    """
    category = Category(**dict(zip(_CATEGORY_FIELDS, row, strict=True)))
    node = category
    for _depth in range(10):
        parent_row = tree.by_id.get(node.parent_id) if node.parent_id is not None else None
        if parent_row is None:
            break
        parent = Category(**dict(zip(_CATEGORY_FIELDS, parent_row, strict=True)))
        Category.parent.field.set_cached_value(node, parent)
        node = parent
    return category


def get_category(*, code: str, customer: Customer | None) -> Category | None:
    """A category the company may browse (None for an unknown or hidden one), parents linked."""
    tree = _tree()
    row = tree.by_code.get(code)
    if row is None:
        return None
    if customer is not None and has_visibility_rules(customer=customer):
        allowed = visible_category_ids(customer=customer, categories=all_categories())
        if allowed is not None and row[0] not in allowed:
            return None
    return _with_parents(row, tree)


def category_tree(*, customer: Customer | None) -> list[Category]:
    """Top-level categories with children and grandchildren, without those hidden from the company."""
    # The tree is small and cached: children linked in Python (instead of prefetch queries), so
    # the home page costs the same statements however deep the tree is.
    every = all_categories()
    children_of: dict[int | None, list[Category]] = {}
    for category in every:
        children_of.setdefault(category.parent_id, []).append(category)
    for category in every:
        category._prefetched_objects_cache = {"children": children_of.get(category.pk, [])}  # type: ignore[attr-defined]  # Django's prefetch cache, filled by hand
    roots = children_of.get(None, [])
    if customer is None:
        return roots
    allowed = visible_category_ids(customer=customer, categories=every)
    if allowed is None:
        return roots
    for root in roots:
        children = [c for c in root.children.all() if c.pk in allowed]
        for child in children:
            child._prefetched_objects_cache["children"] = [g for g in child.children.all() if g.pk in allowed]  # type: ignore[attr-defined]  # Django's prefetch cache, filled by hand
        root._prefetched_objects_cache["children"] = children  # type: ignore[attr-defined]  # Django's prefetch cache, filled by hand
    return [r for r in roots if r.pk in allowed]


def _active_products_with_stock(skus: list[str]) -> list[Product]:
    """``visible_products`` for a company without visibility rules (active only), stock joined.

    Hand-written (b2bshop.hot_sql): the product page, the cart PUT and quick order send it on
    every request, and compiling the ORM query cost more CPU than PostgreSQL spends answering it
    (tools/profile_product_page.py, docs/performance.md).
    """
    among, params = in_list('r."sku"', skus)
    return fetch_joined(Product, ("stock",), f'r."active" AND {among}', params)


def visible_products_by_sku(*, customer: Customer | None, skus: list[str]) -> list[Product]:
    """The products among ``skus`` (exact SKUs) the company may see and order, stock joined."""
    if customer is None or not has_visibility_rules(customer=customer):
        return _active_products_with_stock(skus)
    return list(
        visible_products(customer=customer).select_related(None).select_related("stock").filter(sku__in=skus)
    )


def visible_product_by_sku(*, customer: Customer | None, sku: str) -> Product | None:
    """``visible_products_by_sku`` for one exact SKU: the product, or None."""
    found = visible_products_by_sku(customer=customer, skus=[sku])
    return found[0] if found else None


def get_visible_product(*, sku: str, customer: Customer | None) -> Product | None:
    """One product the company may see, with its category and the category's parents for the breadcrumb.

    The categories come from the cached tree, so the product query joins stock only.
    """
    product = visible_product_by_sku(customer=customer, sku=sku)
    if product is None or product.category_id is None:
        return product
    tree = _tree()
    row = tree.by_id.get(product.category_id)
    if row is not None:
        Product.category.field.set_cached_value(product, _with_parents(row, tree))
    return product


@dataclass(frozen=True, slots=True)
class ProductOffer:
    """A product as one buyer sees it: their price sheet, the engine's quantity limits, the badge."""

    product: Product
    sheet: PriceSheet
    available: int
    availability: str
    limits: LineLimits

    @property
    def unit_price(self) -> Decimal:
        return self.sheet.unit_price(1)

    @property
    def list_price(self) -> Decimal:
        return self.product.base_price

    @property
    def has_own_price(self) -> bool:
        """The buyer pays less than the list price (show "あなたの価格" beside it)."""
        return self.unit_price < self.product.base_price

    @property
    def tiers(self) -> list[tuple[int, Decimal]]:
        return self.sheet.tiers()

    @property
    def min_quantity(self) -> int:
        """The smallest quantity the cart will accept (the engine's, every rule combined)."""
        return self.limits.smallest_valid or self.limits.minimum

    @property
    def step(self) -> int:
        return self.limits.multiple

    @property
    def max_quantity(self) -> int | None:
        return self.limits.largest_valid

    @property
    def limits_text(self) -> str:
        return limits_sentence(self.limits, self.product.unit_label)

    @property
    def can_add(self) -> bool:
        """Enough stock for the smallest valid order: otherwise the add button is disabled."""
        return self.limits.orderable and self.available >= self.min_quantity


def offers_for(
    *, customer: Customer | None, products: list[Product], on: date, ship_to_prefecture: str | None = None
) -> list[ProductOffer]:
    """This customer's view of `products` (from ``visible_products``): one price query, one rules query."""
    sheets = price_sheets(customer=customer, products=products, on=on)
    limits = quantity_limits(
        customer=customer, products=products, on=on, ship_to_prefecture=ship_to_prefecture
    )
    offers = []
    for p in products:
        try:
            available = p.stock.available
        except Stock.DoesNotExist:  # a product the ERP has never reported stock for
            available = 0
        offer_limits = limits[p.id]
        offers.append(
            ProductOffer(
                product=p,
                sheet=sheets[p.id],
                available=available,
                availability=availability(
                    available=available,
                    moq=offer_limits.smallest_valid or offer_limits.minimum,
                    order_multiple=offer_limits.multiple,
                ),
                limits=offer_limits,
            )
        )
    return offers
