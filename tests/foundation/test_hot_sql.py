"""The hand-written order-path statements give what the ORM gives (b2bshop.hot_sql)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from b2bshop.hot_sql import fetch_joined, in_list, insert_rows
from catalog.models import Product, Stock
from customers.models import User
from orders.models import Cart, CartLine, Order
from tests.factories import make_buyer, make_category, make_customer, make_price_group, make_product

pytestmark = pytest.mark.django_db


def _fields(instance: object) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_joined_read_equals_select_related_including_missing_relations() -> None:
    group = make_price_group()
    buyer = make_buyer(customer=make_customer(price_group=group))
    (hand,) = fetch_joined(
        User, ("customer", "customer__price_group", "customer__owner"), 'r."id" = %s', [buyer.pk]
    )
    orm = User.objects.select_related("customer__price_group", "customer__owner").get(pk=buyer.pk)
    assert _fields(hand) == _fields(orm)
    assert _fields(hand.customer) == _fields(orm.customer)
    assert hand.customer.price_group.rate == orm.customer.price_group.rate
    assert hand.customer.owner is None  # a NULL foreign key: None, and no query to find out

    product = make_product(category=make_category(), base_price="1234.50")
    Stock.objects.filter(product=product).delete()
    (row,) = fetch_joined(Product, ("stock", "category"), 'r."id" = %s', [product.pk])
    assert row.base_price == Decimal("1234.50") and isinstance(row.base_price, Decimal)
    assert row.category.code == product.category.code
    with pytest.raises(Product.stock.RelatedObjectDoesNotExist):  # as select_related leaves it
        row.stock  # noqa: B018


def test_json_fields_come_back_decoded() -> None:
    buyer = make_buyer(customer=make_customer())
    order = Order(
        number="X-1",
        customer=buyer.customer,
        placed_by=buyer,
        ship_to={"name": "本社", "prefecture": "東京都"},
        snapshot={"lines": [{"sku": "A", "quantity": 2}]},
        subtotal=Decimal("100"),
        fees_total=Decimal("0"),
        tax_10=Decimal("10"),
        tax_8=Decimal("0"),
        total=Decimal("110"),
        idempotency_key="k-1",
        cart_fingerprint="f",
        placed_at=timezone.now(),
    )
    insert_rows([order])
    assert order.pk is not None and not order._state.adding
    (read,) = fetch_joined(Order, (), 'r."id" = %s', [order.pk])
    assert read.ship_to == {"name": "本社", "prefecture": "東京都"}
    assert read.snapshot["lines"][0]["quantity"] == 2
    assert _fields(read) == _fields(Order.objects.get(pk=order.pk))


def test_upsert_updates_only_the_named_fields_and_sets_the_existing_key() -> None:
    buyer = make_buyer(customer=make_customer())
    first, second = make_product(), make_product()
    cart = Cart(buyer=buyer)
    insert_rows([cart], on_conflict=("buyer",), update=("updated_at",))
    again = Cart(buyer=buyer)
    insert_rows([again], on_conflict=("buyer",), update=("updated_at",))
    assert again.pk == cart.pk and Cart.objects.count() == 1

    insert_rows(
        [CartLine(cart=cart, product=first, quantity=3), CartLine(cart=cart, product=second, quantity=4)]
    )
    added_at = CartLine.objects.get(cart=cart, product=first).added_at
    insert_rows(
        [CartLine(cart=cart, product=first, quantity=9)],
        on_conflict=("cart", "product"),
        update=("quantity",),
    )
    line = CartLine.objects.get(cart=cart, product=first)
    assert (line.quantity, line.added_at) == (9, added_at)  # added_at kept: only quantity was named
    assert CartLine.objects.get(cart=cart, product=second).quantity == 4


def test_in_lists_of_any_length_including_empty_and_negated() -> None:
    make_product(sku="HOT-1")
    make_product(sku="HOT-2")

    def skus(values: list[str], *, negate: bool = False) -> list[str]:
        condition, params = in_list('r."sku"', values, negate=negate)
        return sorted(
            p.sku for p in fetch_joined(Product, (), f'r."sku" LIKE %s AND {condition}', ["HOT-%", *params])
        )

    assert (
        skus([]) == []
        and skus(["HOT-1"]) == ["HOT-1"]
        and skus(["HOT-1", "HOT-2", "X"]) == ["HOT-1", "HOT-2"]
    )
    assert skus([], negate=True) == ["HOT-1", "HOT-2"] and skus(["HOT-1"], negate=True) == ["HOT-2"]
