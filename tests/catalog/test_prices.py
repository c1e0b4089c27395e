"""Price resolution (catalog.prices): list, tiers, group rate, group fixed, contract, validity, lowest wins."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from catalog.prices import price_sheets, unit_price_for
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def price(customer, product, qty=1, on=TODAY):
    return unit_price_for(customer=customer, product=product, quantity=qty, on=on)


def test_list_price_when_nothing_else_applies():
    p = factories.make_product(base_price="120")
    c = factories.make_customer()
    assert price(c, p) == Decimal(120)
    assert price(None, p) == Decimal(120)
    sheet = price_sheets(customer=c, products=[p], on=TODAY)[p.id]
    assert sheet.source(1) == "list" and sheet.tiers() == [(1, Decimal(120))]


def test_group_rate_is_a_share_of_list_rounded_down_to_the_sen():
    p = factories.make_product(base_price="0.85")
    q = factories.make_product(base_price="1234")
    c = factories.make_customer(price_group=factories.make_price_group(rate="0.95"))
    assert price(c, p) == Decimal("0.80")  # 0.8075 -> 0.80
    assert price(c, q) == Decimal("1172.30")
    assert price_sheets(customer=c, products=[q], on=TODAY)[q.id].source() == "group_rate"


def test_group_rate_above_one_never_raises_the_price_over_list():
    p = factories.make_product(base_price="100")
    c = factories.make_customer(price_group=factories.make_price_group(rate="1.10"))
    assert price(c, p) == Decimal(100)


def test_group_fixed_price_applies_only_to_members_of_that_group():
    p = factories.make_product(base_price="100")
    group = factories.make_price_group()
    member = factories.make_customer(price_group=group)
    other = factories.make_customer(price_group=factories.make_price_group())
    factories.make_price(product=p, price_group=group, unit_price="88")
    assert price(member, p) == Decimal(88)
    assert price(other, p) == Decimal(100)
    assert price(None, p) == Decimal(100)


def test_contract_price_applies_only_to_that_customer():
    p = factories.make_product(base_price="100")
    a = factories.make_customer()
    b = factories.make_customer()
    factories.make_price(product=p, customer=a, unit_price="70")
    assert price(a, p) == Decimal(70)
    assert price(b, p) == Decimal(100)
    assert price_sheets(customer=a, products=[p], on=TODAY)[p.id].source() == "contract"


def test_volume_tiers_apply_from_their_minimum_quantity():
    p = factories.make_product(base_price="100")
    c = factories.make_customer()
    factories.make_price(product=p, min_quantity=50, unit_price="95")
    factories.make_price(product=p, min_quantity=100, unit_price="90")
    assert [price(c, p, q) for q in (1, 49, 50, 99, 100, 1000)] == [100, 100, 95, 95, 90, 90]
    assert price_sheets(customer=c, products=[p], on=TODAY)[p.id].tiers() == [
        (1, Decimal(100)),
        (50, Decimal(95)),
        (100, Decimal(90)),
    ]


def test_tiers_skip_break_points_that_do_not_lower_the_price():
    p = factories.make_product(base_price="100")
    c = factories.make_customer()
    factories.make_price(product=p, customer=c, unit_price="80")
    factories.make_price(product=p, min_quantity=50, unit_price="95")  # list tier above the contract price
    factories.make_price(product=p, customer=c, min_quantity=200, unit_price="75")
    sheet = price_sheets(customer=c, products=[p], on=TODAY)[p.id]
    assert sheet.tiers() == [(1, Decimal(80)), (200, Decimal(75))]


def test_validity_dates_are_inclusive_and_optional():
    p = factories.make_product(base_price="100")
    c = factories.make_customer()
    factories.make_price(
        product=p, customer=c, unit_price="80", valid_from=date(2026, 4, 1), valid_to=date(2026, 9, 30)
    )
    factories.make_price(product=p, customer=c, unit_price="85", valid_from=date(2026, 10, 1))
    factories.make_price(product=p, customer=c, unit_price="60", valid_to=date(2026, 1, 31))
    assert price(c, p, on=date(2026, 3, 31)) == Decimal(100)
    assert price(c, p, on=date(2026, 1, 31)) == Decimal(60)
    assert price(c, p, on=date(2026, 4, 1)) == Decimal(80)
    assert price(c, p, on=date(2026, 9, 30)) == Decimal(80)
    assert price(c, p, on=date(2026, 10, 1)) == Decimal(85)
    assert price(c, p, on=date(2030, 1, 1)) == Decimal(85)


@pytest.mark.parametrize(
    ("rate", "group_fixed", "contract", "tier50", "expected1", "expected50", "winner1"),
    [
        ("0.90", "95", "92", "85", Decimal(90), Decimal(85), "group_rate"),
        (None, "95", "92", "85", Decimal(92), Decimal(85), "contract"),
        (None, "91", "92", "93", Decimal(91), Decimal(91), "group"),
        ("0.99", None, None, "50", Decimal(99), Decimal(50), "group_rate"),
    ],
)
def test_lowest_applicable_price_wins(rate, group_fixed, contract, tier50, expected1, expected50, winner1):
    p = factories.make_product(base_price="100")
    group = factories.make_price_group(rate=rate)
    c = factories.make_customer(price_group=group)
    if group_fixed:
        factories.make_price(product=p, price_group=group, unit_price=group_fixed)
    if contract:
        factories.make_price(product=p, customer=c, unit_price=contract)
    factories.make_price(product=p, min_quantity=50, unit_price=tier50)
    sheet = price_sheets(customer=c, products=[p], on=TODAY)[p.id]
    assert (sheet.unit_price(1), sheet.unit_price(50)) == (expected1, expected50)
    assert sheet.source(1) == winner1


def test_another_customers_contract_and_group_prices_never_leak():
    p = factories.make_product(base_price="100")
    group = factories.make_price_group(rate="0.5")
    other = factories.make_customer(price_group=group)
    factories.make_price(product=p, customer=other, unit_price="10")
    factories.make_price(product=p, price_group=group, unit_price="20")
    me = factories.make_customer()
    assert price(me, p) == Decimal(100)


def test_price_sheets_use_one_query_for_many_products(django_assert_num_queries):
    products = [factories.make_product(base_price="100") for _ in range(30)]
    c = factories.make_customer(price_group=factories.make_price_group(rate="0.9"))
    for p in products[::3]:
        factories.make_price(product=p, customer=c, unit_price="70")
    from customers.models import Customer

    c = Customer.objects.select_related("price_group").get(pk=c.pk)
    with django_assert_num_queries(1):
        sheets = price_sheets(customer=c, products=products, on=TODAY)
    assert sheets[products[0].id].unit_price() == Decimal(70)
    assert sheets[products[1].id].unit_price() == Decimal(90)


def test_quantity_zero_or_negative_is_priced_as_one():
    p = factories.make_product(base_price="100")
    factories.make_price(product=p, min_quantity=10, unit_price="50")
    assert price(None, p, 0) == Decimal(100)


def test_empty_product_list_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert price_sheets(customer=None, products=[], on=TODAY) == {}
