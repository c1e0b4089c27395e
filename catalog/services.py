"""Catalog writes: ERP master data (products, stock, prices) in bulk, all-or-nothing, constant query count.

Every function takes already type-checked input (the API layer parses JSON into these
dataclasses), resolves codes (SKU, category, customer, price group) with one query per kind,
and either writes everything in one transaction or raises ``ItemErrors`` and writes nothing.
Upserts are single ``INSERT … ON CONFLICT … DO UPDATE`` statements, so the number of SQL
statements does not grow with the number of items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar, cast

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from b2bshop.errors import InvalidItems, NotFound, ValidationFailed
from catalog.models import Category, Price, Product, Stock, VisibilityRule
from catalog.sku import InvalidSku, normalize_sku
from catalog.stock import StockFigure, StockUpdateResult, apply_stock_figures
from catalog.text import product_search_text
from customers.models import Customer, PriceGroup

PRODUCT_UPDATE_FIELDS = [
    "name", "name_en", "name_kana", "category", "unit", "case_quantity", "jan_code", "tax_rate", "base_price",
    "moq", "order_multiple", "max_quantity", "active", "description", "search_text", "updated_at", "cost_price",
    "image_url",
]  # fmt: skip


class ItemErrors(InvalidItems):
    """Some items of a batch are invalid; ``details["errors"]`` = [{"index", "sku", "errors": {field: [msg]}}]."""


@dataclass(frozen=True, slots=True)
class ProductData:
    """One product from the ERP. ``name_kana`` / ``description`` None = keep the shop's current value."""

    sku: str
    name: str
    unit: str
    base_price: Decimal
    tax_rate: int
    active: bool
    name_en: str = ""
    category: str | None = None
    case_quantity: int = 1
    jan_code: str = ""
    moq: int | None = None
    order_multiple: int | None = None
    max_quantity: int | None = None
    name_kana: str | None = None
    description: str | None = None
    cost_price: Decimal | None = None  # None = keep the shop's current value
    image_url: str | None = None  # None = keep the shop's current value


@dataclass(frozen=True, slots=True)
class ProductUpsertResult:
    created: int
    updated: int
    products: list[Product] = field(default_factory=list)
    created_skus: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class StockItem:
    sku: str
    on_hand: int
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class PriceData:
    sku: str
    unit_price: Decimal
    customer: str | None = None
    price_group: str | None = None
    min_quantity: int = 1
    valid_from: date | None = None
    valid_to: date | None = None


def _error(errors: list[dict[str, Any]], index: int, sku: str, name: str, message: str) -> None:
    for entry in errors:
        if entry["index"] == index:
            entry["errors"].setdefault(name, []).append(message)
            return
    errors.append({"index": index, "sku": sku, "errors": {name: [message]}})


def _duplicates(keys: Sequence[Any]) -> dict[int, int]:
    """index -> index of the first occurrence, for every repeated key."""
    first: dict[Any, int] = {}
    dupes: dict[int, int] = {}
    for index, key in enumerate(keys):
        if key in first:
            dupes[index] = first[key]
        else:
            first[key] = index
    return dupes


class _HasSku(Protocol):
    @property
    def sku(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasSku)


def _normalized_skus(items: Sequence[_Item], errors: list[dict[str, Any]]) -> list[_Item]:
    """Items with their SKU in canonical form (catalog.sku); an invalid SKU becomes an item error."""
    normalized = []
    for index, item in enumerate(items):
        try:
            sku = normalize_sku(item.sku)
        except InvalidSku as exc:
            _error(errors, index, item.sku, "sku", exc.message)
            sku = item.sku
        normalized.append(item if sku == item.sku else replace(item, sku=sku))  # type: ignore[type-var]  # replace() on a Protocol-bound TypeVar
    return normalized


def upsert_products(*, items: Sequence[ProductData]) -> ProductUpsertResult:
    """Create or update products by SKU, all or nothing.

    Raises ItemErrors (invalid or duplicate SKU, unknown category). Four statements for any number
    of items: categories, existing SKUs, one upsert, stock rows.
    """
    errors: list[dict[str, Any]] = []
    items = _normalized_skus(items, errors)
    for index, first in _duplicates([item.sku for item in items]).items():
        _error(
            errors,
            index,
            items[index].sku,
            "sku",
            _("This SKU appears more than once in this request (first at index %(index)d).")
            % {"index": first},
        )
    codes = {item.category for item in items if item.category}
    categories = dict(Category.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    for index, item in enumerate(items):
        if item.category and item.category not in categories:
            _error(
                errors,
                index,
                item.sku,
                "category",
                _("Unknown category code “%(code)s”.") % {"code": item.category},
            )
    if errors:
        raise ItemErrors(sorted(errors, key=lambda e: e["index"]))
    with transaction.atomic():
        existing = {
            sku: (kana, description, cost, image_url)
            for sku, kana, description, cost, image_url in Product.objects.filter(
                sku__in=[i.sku for i in items]
            ).values_list("sku", "name_kana", "description", "cost_price", "image_url")
        }
        objs = []
        for item in items:
            kept_kana, kept_description, kept_cost, kept_image = existing.get(item.sku, ("", "", None, ""))
            kana = kept_kana if item.name_kana is None else item.name_kana
            objs.append(
                Product(
                    sku=item.sku, name=item.name, name_en=item.name_en, name_kana=kana,
                    category_id=categories.get(item.category) if item.category else None,
                    unit=item.unit, case_quantity=item.case_quantity, jan_code=item.jan_code, tax_rate=item.tax_rate,
                    base_price=item.base_price, moq=item.moq, order_multiple=item.order_multiple,
                    max_quantity=item.max_quantity, active=item.active,
                    cost_price=kept_cost if item.cost_price is None else item.cost_price,
                    description=kept_description if item.description is None else item.description,
                    image_url=kept_image if item.image_url is None else item.image_url,
                    search_text=product_search_text(sku=item.sku, name=item.name, name_en=item.name_en,
                                                    name_kana=kana, jan_code=item.jan_code),
                )
            )  # fmt: skip
        products = Product.objects.bulk_create(
            objs, update_conflicts=True, unique_fields=["sku"], update_fields=PRODUCT_UPDATE_FIELDS
        )
        Stock.objects.bulk_create([Stock(product_id=p.pk) for p in products], ignore_conflicts=True)
    created = frozenset(item.sku for item in items) - set(existing)
    return ProductUpsertResult(
        created=len(created), updated=len(items) - len(created), products=products, created_skus=created
    )


def upsert_product(*, item: ProductData) -> ProductUpsertResult:
    """Create or update one product (PUT by SKU). Raises ValidationFailed with the item's field errors."""
    try:
        return upsert_products(items=[item])
    except ItemErrors as exc:
        raise ValidationFailed(_("The request has invalid fields."), details=exc.errors[0]["errors"]) from exc


def apply_erp_stock(*, items: Sequence[StockItem], received_at: datetime) -> StockUpdateResult:
    """Absolute on-hand counts from the ERP. Raises ItemErrors (nothing written).

    Refused: unknown SKUs, and an ``as_of`` later than ``received_at`` plus STOCK_AS_OF_MAX_SKEW_SECONDS
    (a figure from the future would make every real later figure look stale, freezing the stock).
    """
    errors: list[dict[str, Any]] = []
    items = _normalized_skus(items, errors)
    skus = {item.sku for item in items}
    ids = dict(Product.objects.filter(sku__in=skus).values_list("sku", "id"))
    latest = received_at + timedelta(seconds=settings.STOCK_AS_OF_MAX_SKEW_SECONDS)
    for index, item in enumerate(items):
        if item.sku not in ids:
            _error(errors, index, item.sku, "sku", _("Unknown SKU “%(sku)s”.") % {"sku": item.sku})
        if item.as_of is not None and item.as_of > latest:
            _error(
                errors,
                index,
                item.sku,
                "as_of",
                _("as_of lies in the future; send the time the figure was taken."),
            )
    if errors:
        raise ItemErrors(sorted(errors, key=lambda e: e["index"]))
    return apply_stock_figures(
        figures=[StockFigure(ids[item.sku], item.on_hand, item.as_of) for item in items],
        received_at=received_at,
    )


def upsert_prices(*, items: Sequence[PriceData]) -> int:
    """Create or update price rows, all or nothing; key = product + customer + group + min_quantity + valid_from.

    Raises ItemErrors (unknown SKU, customer or group; both customer and group; a key twice in one call).
    At most four statements: products, customers, groups (only when referenced), one upsert.
    """
    errors: list[dict[str, Any]] = []
    items = _normalized_skus(items, errors)
    skus = {i.sku for i in items}
    customer_codes = {i.customer for i in items if i.customer}
    group_codes = {i.price_group for i in items if i.price_group}
    products = dict(Product.objects.filter(sku__in=skus).values_list("sku", "id"))
    customers = (
        dict(Customer.objects.filter(code__in=customer_codes).values_list("code", "id"))
        if customer_codes
        else {}
    )
    groups = (
        dict(PriceGroup.objects.filter(code__in=group_codes).values_list("code", "id")) if group_codes else {}
    )
    for index, item in enumerate(items):
        if item.sku not in products:
            _error(errors, index, item.sku, "sku", _("Unknown SKU “%(sku)s”.") % {"sku": item.sku})
        if item.customer and item.customer not in customers:
            _error(errors, index, item.sku, "customer",
                   _("Unknown customer code “%(code)s”.") % {"code": item.customer})  # fmt: skip
        if item.price_group and item.price_group not in groups:
            _error(errors, index, item.sku, "price_group",
                   _("Unknown price group code “%(code)s”.") % {"code": item.price_group})  # fmt: skip
    keys = [(i.sku, i.customer, i.price_group, i.min_quantity, i.valid_from) for i in items]
    for index, first in _duplicates(keys).items():
        _error(errors, index, items[index].sku, "non_field_errors",
               _("The same price row appears more than once in this request (first at index %(index)d).")
               % {"index": first})  # fmt: skip
    if errors:
        raise ItemErrors(sorted(errors, key=lambda e: e["index"]))
    rows = [
        Price(
            product_id=products[i.sku],
            customer_id=customers.get(i.customer) if i.customer else None,
            price_group_id=groups.get(i.price_group) if i.price_group else None,
            min_quantity=i.min_quantity,
            unit_price=i.unit_price,
            valid_from=i.valid_from,
            valid_to=i.valid_to,
        )
        for i in items
    ]
    # One statement: atomic on its own, no savepoint needed.
    Price.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["product", "customer", "price_group", "min_quantity", "valid_from"],
        update_fields=["unit_price", "valid_to", "updated_at"],
    )
    return len(rows)


# ---------------------------------------------------------------- visibility (表示グループ)


@dataclass(frozen=True, slots=True)
class VisibilityTargets:
    """Category codes and SKUs one subject may not see (hide) or may only see (allow)."""

    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()


def _visibility_subject(*, customer_code: str | None, price_group_code: str | None) -> dict[str, Any]:
    """{"customer": ...} or {"price_group": ...} for the code. Raises NotFound."""
    if (customer_code is None) == (price_group_code is None):
        raise ValueError("name exactly one customer or one price group")
    if customer_code is not None:
        subject: dict[str, Any] = {"customer": Customer.objects.filter(code=customer_code).first()}
    else:
        subject = {"price_group": PriceGroup.objects.filter(code=price_group_code).first()}
    if next(iter(subject.values())) is None:
        raise NotFound(_("No customer or price group with this code."))
    return subject


def replace_visibility(
    *,
    customer_code: str | None = None,
    price_group_code: str | None = None,
    hide: VisibilityTargets,
    allow: VisibilityTargets,
) -> int:
    """Replace every visibility rule of one customer or price group; returns how many rules it now has.

    Raises NotFound (unknown subject), ValidationFailed (unknown category or SKU; ``details``
    names them) and writes nothing then. Empty ``hide`` and ``allow`` = the whole active catalog.
    """
    subject = _visibility_subject(customer_code=customer_code, price_group_code=price_group_code)
    codes = {*hide.categories, *allow.categories}
    skus = {*hide.skus, *allow.skus}
    categories = {c.code: c for c in Category.objects.filter(code__in=codes)}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    errors: dict[str, list[str]] = {}
    if unknown := sorted(codes - categories.keys()):
        errors["categories"] = [_("Unknown category %(code)s.") % {"code": code} for code in unknown]
    if unknown := sorted(skus - products.keys()):
        errors["skus"] = [_("Unknown SKU %(sku)s.") % {"sku": sku} for sku in unknown]
    if errors:
        raise ValidationFailed(_("Some categories or SKUs do not exist."), details=errors)
    rows = [
        VisibilityRule(**subject, effect=effect, **cast(dict[str, Any], target))
        for effect, targets in ((VisibilityRule.Effect.HIDE, hide), (VisibilityRule.Effect.ALLOW, allow))
        for target in (
            *({"category": categories[code]} for code in sorted(set(targets.categories))),
            *({"product": products[sku]} for sku in sorted(set(targets.skus))),
        )
    ]
    with transaction.atomic():
        VisibilityRule.objects.filter(**subject).delete()
        VisibilityRule.objects.bulk_create(rows)
    return len(rows)


def visibility_document(*, customer_code: str | None = None, price_group_code: str | None = None) -> dict:
    """The subject's rules in the ERP's shape: {"hide": {"categories", "skus"}, "allow": {...}}. Raises NotFound."""
    subject = _visibility_subject(customer_code=customer_code, price_group_code=price_group_code)
    rules = VisibilityRule.objects.filter(**subject).select_related("category", "product")
    doc: dict[str, dict[str, list[str]]] = {
        effect: {"categories": [], "skus": []} for effect in VisibilityRule.Effect.values
    }
    for rule in rules:
        if rule.category is not None:
            doc[rule.effect]["categories"].append(rule.category.code)
        elif rule.product is not None:
            doc[rule.effect]["skus"].append(rule.product.sku)
    for part in doc.values():
        part["categories"].sort()
        part["skus"].sort()
    return doc
