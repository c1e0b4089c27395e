"""The one cart evaluation through the database path: rule kinds, scopes, validity, fees, tax, query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from orders.services.cart import buyer_cart, evaluate_cart
from pricing_rules.messages import hint_message, violation_message
from tests import factories
from tests.orders.builders import fill_cart, make_rule

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 26)


def _eval(customer, *lines, prefecture="東京都", on=TODAY, credit=None):
    customer.refresh_from_db()
    return evaluate_cart(
        customer=customer, lines=list(lines), ship_to_prefecture=prefecture, on=on, credit_available=credit
    )


def test_minimum_quantity_rule_applies_through_category_ancestors():
    parent = factories.make_category(code="BOLT")
    child = factories.make_category(code="BOLT-HEX", parent=parent)
    bolt = factories.make_product(category=child, unit="個")
    make_rule(code="moq-bolts", kind="minimum_quantity", quantity=50, scope={"categories": ["BOLT"]})
    customer = factories.make_customer()
    result = _eval(customer, (bolt, 10))
    (violation,) = result.violations
    assert (violation.code, violation.sku, violation.required) == ("below_moq", bolt.sku, 50)
    with translation.override("ja"):
        assert violation_message(violation) == "50個以上でご注文ください (現在 10個)"
    assert result.lines[0].min_quantity == 50
    assert _eval(customer, (bolt, 50)).can_checkout


def test_order_multiple_in_case_units_says_how_to_fix_it():
    drink_cat = factories.make_category(code="DRINK")
    drink = factories.make_product(category=drink_cat, case_quantity=12, unit="個")
    make_rule(
        code="case-units", kind="order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]}
    )
    result = _eval(factories.make_customer(), (drink, 10))
    (violation,) = result.violations
    assert violation.code == "not_multiple"
    assert violation.required == 12
    with translation.override("ja"):
        assert violation_message(violation) == "12個単位でご注文ください (現在 10個)"
    assert result.lines[0].multiple == 12


def test_maximum_quantity_and_minimum_amount():
    product = factories.make_product(base_price="100")
    make_rule(code="max", kind="maximum_quantity", quantity=30)
    make_rule(code="min-amount", kind="minimum_order_amount", amount="3000")
    result = _eval(factories.make_customer(), (product, 25))
    assert [v.code for v in result.violations] == ["below_minimum_amount"]
    assert result.violations[0].params["missing"] == Decimal("500")
    assert [v.code for v in _eval(factories.make_customer(), (product, 31)).violations] == ["above_max"]


def test_small_order_fee_and_its_hint():
    product = factories.make_product(base_price="100")
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    result = _eval(factories.make_customer(), (product, 77))
    assert [(f.kind, f.amount) for f in result.fees] == [("small_order_fee", Decimal("500"))]
    with translation.override("ja"):
        assert hint_message(result.hints[0]) == "あと¥2,300のご注文で小口手数料¥500が不要になります"
    assert result.total == Decimal("7700") + 500 + Decimal("820")  # tax 10% of 8200
    assert _eval(factories.make_customer(), (product, 100)).fees == ()


def test_shipping_fee_by_prefecture_with_free_from_and_priority():
    product = factories.make_product(base_price="1000")
    make_rule(code="ship-standard", kind="shipping_fee", fee="800", free_from="20000", tax_rate="10")
    make_rule(
        code="ship-hokkaido",
        kind="shipping_fee",
        fee="1500",
        free_from="30000",
        tax_rate="10",
        priority=10,
        scope={"prefectures": ["北海道", "沖縄県"]},
    )
    customer = factories.make_customer()
    assert [f.amount for f in _eval(customer, (product, 5), prefecture="北海道").fees] == [Decimal("1500")]
    assert [f.amount for f in _eval(customer, (product, 5), prefecture="東京都").fees] == [Decimal("800")]
    assert _eval(customer, (product, 25), prefecture="東京都").fees == ()
    hokkaido = _eval(customer, (product, 25), prefecture="北海道")
    assert [f.amount for f in hokkaido.fees] == [Decimal("1500")]
    assert hokkaido.hints[0].code == "free_shipping_reachable"
    assert hokkaido.hints[0].params["missing"] == Decimal("5000")


@pytest.mark.parametrize(
    ("scope", "matches"),
    [
        ({}, True),
        ({"customers": ["C-1"]}, True),
        ({"customers": ["C-2"]}, False),
        ({"price_groups": ["GOLD"]}, True),
        ({"price_groups": ["SILVER"]}, False),
        ({"prefectures": ["東京都"]}, True),
        ({"prefectures": ["大阪府"]}, False),
        ({"skus": ["S-1"]}, True),
        ({"skus": ["S-2"]}, False),
        ({"customers": ["C-1"], "skus": ["S-2"]}, False),
    ],
)
def test_scopes(scope, matches):
    group = factories.make_price_group(code="GOLD")
    customer = factories.make_customer(code="C-1", price_group=group)
    product = factories.make_product(sku="S-1")
    make_rule(code="moq", kind="minimum_quantity", quantity=5, scope=scope)
    assert (_eval(customer, (product, 1)).violation_codes == ("below_moq",)) is matches


def test_validity_window_and_active_flag():
    product = factories.make_product()
    make_rule(code="future", kind="minimum_quantity", quantity=5, valid_from=str(TODAY + timedelta(days=1)))
    make_rule(code="past", kind="minimum_quantity", quantity=6, valid_to=str(TODAY - timedelta(days=1)))
    make_rule(code="off", kind="minimum_quantity", quantity=7, active=False)
    customer = factories.make_customer()
    assert _eval(customer, (product, 1)).can_checkout
    assert _eval(customer, (product, 1), on=TODAY + timedelta(days=1)).violations[0].required == 5


def test_strictest_rule_wins_with_the_products_own_constraints():
    product = factories.make_product(moq=20, order_multiple=4, max_quantity=1000)
    make_rule(code="moq", kind="minimum_quantity", quantity=50)
    make_rule(code="mult", kind="order_multiple", quantity=6)
    make_rule(code="max", kind="maximum_quantity", quantity=600)
    line = _eval(factories.make_customer(), (product, 60)).lines[0]
    assert (line.min_quantity, line.multiple, line.max_quantity) == (50, 12, 600)


def test_tax_is_rounded_down_once_per_rate_per_order():
    food = [factories.make_product(base_price="111", tax_rate=8) for _ in range(3)]
    tool = factories.make_product(base_price="333", tax_rate=10)
    result = _eval(factories.make_customer(), *[(p, 1) for p in food], (tool, 1))
    assert result.tax == {10: Decimal("33"), 8: Decimal("26")}  # per line would give 8+8+8 = 24


def test_customer_price_and_volume_tier_come_from_the_price_function():
    customer = factories.make_customer()
    product = factories.make_product(base_price="120")
    factories.make_price(product=product, unit_price="110", min_quantity=50)
    factories.make_price(product=product, unit_price="115", customer=customer)
    assert _eval(customer, (product, 10)).lines[0].unit_price == Decimal("115")
    assert _eval(customer, (product, 50)).lines[0].unit_price == Decimal("110")


def test_stock_and_credit_limit_and_ec_disabled():
    product = factories.make_product(on_hand=5, base_price="1000")
    customer = factories.make_customer(ec_enabled=False)
    result = _eval(customer, (product, 6), credit=Decimal("1000"))
    assert set(result.violation_codes) == {"ec_disabled", "not_available", "credit_limit"}


def _count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_cart_evaluation_query_count_is_constant_in_the_number_of_lines():
    parent = factories.make_category(code="TOP")
    category = factories.make_category(parent=parent)
    make_rule(code="moq-top", kind="minimum_quantity", quantity=2, scope={"categories": ["TOP"]})
    make_rule(code="fee", kind="small_order_fee", below="10000", fee="500")
    products = [factories.make_product(category=category) for _ in range(100)]
    first = factories.make_buyer()
    fill_cart(first, (products[0], 3))
    cold = _count_queries(lambda: buyer_cart(buyer=first, on=timezone.localdate()))
    counts = []
    for size in (1, 20, 100):
        buyer = factories.make_buyer(
            customer=factories.make_customer(price_group=factories.make_price_group())
        )
        fill_cart(buyer, *[(p, 3) for p in products[:size]])
        counts.append(_count_queries(lambda buyer=buyer: buyer_cart(buyer=buyer, on=timezone.localdate())))
    assert counts[0] == counts[1] == counts[2], counts
    # Rules and the category tree come from the per-process cache once loaded: no query of their own.
    assert counts[0] <= 6
    assert cold == counts[0] + 2  # the first evaluation in this process loaded both
