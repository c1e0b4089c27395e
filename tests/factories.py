"""Builder functions for tests: small, explicit, keyword-only."""

from __future__ import annotations

import itertools
from decimal import Decimal

from catalog.models import Category, Price, Product, Stock
from catalog.text import jan_check_digit, product_search_text
from customers.models import Customer, PriceGroup, ShipTo, User

_seq = itertools.count(1)


def make_price_group(*, code: str | None = None, rate: str | None = None) -> PriceGroup:
    n = next(_seq)
    return PriceGroup.objects.create(
        code=code or f"PG{n}", name=f"Group {n}", rate=Decimal(rate) if rate else None
    )


def make_customer(
    *,
    code: str | None = None,
    name: str | None = None,
    price_group: PriceGroup | None = None,
    prefecture: str = "東京都",
    ec_enabled: bool = True,
    credit_limit: str | None = None,
) -> Customer:
    n = next(_seq)
    return Customer.objects.create(
        code=code or f"T{n:05d}",
        name=name or f"株式会社テスト商事{n}",
        price_group=price_group,
        prefecture=prefecture,
        postal_code="100-0001",
        address=f"{prefecture}千代田区1-1-{n}",
        phone="03-1234-5678",
        ec_enabled=ec_enabled,
        credit_limit=Decimal(credit_limit) if credit_limit else None,
    )


def make_buyer(
    *,
    customer: Customer | None = None,
    email: str | None = None,
    password: str = "buyer-pass-123",
    role: str = "buyer",
) -> User:
    customer = customer or make_customer()
    return User.objects.create_user(
        email or f"buyer{next(_seq)}@example.jp", password, customer=customer, role=role
    )


def make_staff(*, email: str | None = None, password: str = "staff-pass-123", superuser: bool = True) -> User:
    return User.objects.create_user(
        email or f"staff{next(_seq)}@example.jp", password, is_staff=True, is_superuser=superuser
    )


def make_integration_user(*, email: str | None = None) -> User:
    return User.objects.create_user(
        email or f"erp{next(_seq)}@integration.invalid", None, is_integration=True
    )


def make_category(
    *, code: str | None = None, parent: Category | None = None, name: str | None = None
) -> Category:
    n = next(_seq)
    return Category.objects.create(code=code or f"CAT{n}", name=name or f"カテゴリ{n}", parent=parent)


def valid_jan(seed: int) -> str:
    body = f"45{seed:010d}"[:12]
    return body + str(jan_check_digit(body))


def make_product(
    *,
    sku: str | None = None,
    name: str | None = None,
    base_price: str = "100",
    category: Category | None = None,
    tax_rate: int = 10,
    case_quantity: int = 1,
    moq: int | None = None,
    order_multiple: int | None = None,
    max_quantity: int | None = None,
    on_hand: int = 1000,
    active: bool = True,
    unit: str = "個",
    name_kana: str = "",
    jan_code: str | None = None,
    name_en: str = "",
) -> Product:
    n = next(_seq)
    sku = sku or f"SKU-{n:05d}"
    name = name or f"テスト商品{n}"
    jan = valid_jan(n) if jan_code is None else jan_code
    product = Product.objects.create(
        sku=sku,
        name=name,
        name_en=name_en,
        name_kana=name_kana,
        category=category,
        unit=unit,
        case_quantity=case_quantity,
        jan_code=jan,
        tax_rate=tax_rate,
        base_price=Decimal(base_price),
        moq=moq,
        order_multiple=order_multiple,
        max_quantity=max_quantity,
        active=active,
        search_text=product_search_text(
            sku=sku, name=name, name_en=name_en, name_kana=name_kana, jan_code=jan
        ),
    )
    Stock.objects.create(product=product, on_hand=on_hand)
    return product


def make_price(
    *,
    product: Product,
    unit_price: str,
    customer: Customer | None = None,
    price_group: PriceGroup | None = None,
    min_quantity: int = 1,
    valid_from=None,
    valid_to=None,
) -> Price:
    return Price.objects.create(
        product=product,
        customer=customer,
        price_group=price_group,
        min_quantity=min_quantity,
        unit_price=Decimal(unit_price),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def make_ship_to(*, customer: Customer, prefecture: str = "大阪府", is_default: bool = False) -> ShipTo:
    return ShipTo.objects.create(
        customer=customer,
        name=f"{customer.name} 倉庫",
        postal_code="530-0001",
        prefecture=prefecture,
        address="大阪市北区1-1",
        is_default=is_default,
    )
