"""Hand-computed data sets for the Pareto/ABC, retention, cohort, economics and channel-mix figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engagement.selectors import usual_products
from insights import selectors
from insights.selectors import Period
from tests import factories
from tests.insights.builders import make_order, order_of

pytestmark = pytest.mark.django_db

NOV = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))  # previous: 2026-10-02 .. 2026-10-31


@pytest.fixture
def product():
    return factories.make_product(base_price="1")


def _customers(*codes):
    return {code: factories.make_customer(code=code, name=f"{code}商事") for code in codes}


def test_pareto_shares_classes_movements_and_risk(product):
    c = _customers("A", "B", "C", "D", "E")
    # This period: 6000 / 2500 / 1000 / 500 (total 10,000).
    for code, amount in (("A", 6000), ("B", 2500), ("C", 1000), ("D", 500)):
        order_of(c[code], product, "2026-11-10", amount)
    order_of(c["A"], product, "2026-11-11", 9000, status="cancelled")  # never counts
    # Previous period: D 5000, A 3000, E 1500, C 500.
    for code, amount in (("D", 5000), ("A", 3000), ("E", 1500), ("C", 500)):
        order_of(c[code], product, "2026-10-15", amount)

    result = selectors.pareto(period=NOV, cutoffs=(80, 95))

    assert [(r.code, r.value, r.abc) for r in result.customers] == [
        ("A", 6000, "A"),  # 0 % before it
        ("B", 2500, "A"),  # 60 % before it: still needed to reach 80 %
        ("C", 1000, "B"),  # 85 % before it
        ("D", 500, "C"),  # 95 % before it
    ]
    assert [r.cumulative_share for r in result.customers] == [
        Decimal("0.6"), Decimal("0.85"), Decimal("0.95"), Decimal("1"),
    ]  # fmt: skip
    assert result.total == 10000
    assert result.previous_total == 10000
    assert (result.top20_count, result.top20_share) == (1, Decimal("0.6"))  # ceil(20 % of 4) = 1 customer
    assert (result.long_tail_count, result.long_tail_share) == (1, Decimal("0.05"))
    assert [(s.abc, s.customers, s.value) for s in result.classes] == [
        ("A", 2, 8500),
        ("B", 1, 1000),
        ("C", 1, 500),
    ]
    assert [(r.top, r.value, r.share) for r in result.risk] == [
        (1, 6000, Decimal("0.6")), (3, 9500, Decimal("0.95")), (5, 10000, Decimal("1")),
    ]  # fmt: skip
    # Previous classes: D A (0 %), A A (50 %), E B (80 %), C C (95 %).
    assert result.movements == {("A", "A"): 1, ("", "A"): 1, ("C", "B"): 1, ("A", "C"): 1, ("B", ""): 1}
    assert [(r.code, r.previous_abc, r.abc, r.growth) for r in result.risers] == [
        ("C", "C", "B", Decimal("1"))
    ]
    assert [r.code for r in result.lost] == ["E"]


def test_pareto_by_margin_uses_cost_prices_where_known():
    c = _customers("M1", "M2")
    costed = factories.make_product(base_price="100")
    costed.cost_price = Decimal("90")
    costed.save()
    plain = factories.make_product(base_price="100")
    make_order(customer=c["M1"], day="2026-11-05", lines=[(costed, 10, "100")])  # sales 1000, margin 100
    make_order(customer=c["M2"], day="2026-11-05", lines=[(plain, 8, "100")])  # sales 800, margin 25 % = 200

    assert selectors.has_cost_prices()
    by_revenue = selectors.rank_customers(period=NOV)
    by_margin = selectors.rank_customers(period=NOV, metric=selectors.MARGIN)

    assert [(r.code, r.value) for r in by_revenue] == [("M1", 1000), ("M2", 800)]
    assert [(r.code, r.value) for r in by_margin] == [("M2", 200), ("M1", 100)]


def test_retention_repeat_rate_new_existing_churned(product):
    c = _customers("X", "Y", "Z", "W")
    order_of(c["X"], product, "2026-01-20", 700)  # X existed before the period
    order_of(c["X"], product, "2026-11-03", 1000)
    order_of(c["X"], product, "2026-11-20", 2000)
    order_of(c["Y"], product, "2026-11-08", 500)  # Y is new
    order_of(c["Z"], product, "2026-10-10", 3000)  # Z churned
    order_of(c["W"], product, "2026-10-12", 400)
    order_of(c["W"], product, "2026-11-12", 400, status="cancelled")  # a cancelled order does not keep W

    result = selectors.retention(period=NOV)

    assert (result.active, result.repeaters, result.repeat_rate) == (2, 1, Decimal("0.5"))
    assert (result.new_customers, result.new_revenue) == (1, 500)
    assert (result.existing_customers, result.existing_revenue) == (1, 3000)
    assert [(ch.code, ch.previous_revenue) for ch in result.churned] == [("Z", 3000), ("W", 400)]
    assert result.churned_revenue == 3400


def test_cohorts_by_first_order_month(product):
    c = _customers("P", "Q", "R", "S")
    order_of(c["P"], product, "2026-01-05", 100)
    order_of(c["P"], product, "2026-03-05", 300)
    order_of(c["Q"], product, "2026-01-25", 200)
    order_of(c["R"], product, "2026-02-02", 100)
    order_of(c["R"], product, "2026-02-20", 100)
    order_of(c["R"], product, "2026-03-02", 100)
    order_of(c["S"], product, "2025-12-30", 100)  # an older cohort, outside the period
    order_of(c["S"], product, "2026-01-30", 100)

    result = selectors.cohorts(period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)), months=3)

    assert [(k.month, k.customers, k.active, k.revenue) for k in result] == [
        (date(2026, 1, 1), 2, (2, 0, 1), (300, 0, 300)),
        (date(2026, 2, 1), 1, (1, 1, 0), (200, 100, 0)),
    ]
    assert result[0].retention() == [Decimal("1"), Decimal("0"), Decimal("0.5")]


def test_small_order_economics_before_and_after_the_web_channel(product, settings):
    settings.INSIGHTS_HANDLING_COST = {"web": 30, "api": 30, "phone": 700, "fax": 700}
    settings.INSIGHTS_ORDER_BANDS = [5000, 10000]
    settings.INSIGHTS_DEFAULT_MARGIN_RATE = "0.25"
    c = _customers("E1", "E2")
    order_of(c["E1"], product, "2026-11-02", 3000, channel="web", fees="500")
    order_of(c["E2"], product, "2026-11-02", 3000, channel="phone")
    order_of(c["E1"], product, "2026-11-03", 20000, channel="api")

    bands = selectors.order_bands(period=NOV)

    small, middle, large = bands
    assert (small.lower, small.upper, small.orders, small.revenue, small.fees) == (0, 5000, 2, 6000, 500)
    assert small.by_channel == {"web": 1, "api": 0, "phone": 1, "fax": 0}
    assert (small.margin, small.handling, small.profit) == (1500, 730, 1270)  # 1500 + 500 - (30 + 700)
    assert (small.handling_before_web, small.profit_before_web) == (1400, 600)  # both by phone: 2 × 700
    assert middle.orders == 0
    assert (large.upper, large.orders, large.profit, large.profit_before_web) == (None, 1, 4970, 4300)

    profits = selectors.customer_profits(period=NOV)
    assert [(p.code, p.orders, p.fees, p.margin, p.handling, p.profit) for p in profits] == [
        ("E1", 2, 500, 5750, 60, 6190),
        ("E2", 1, 0, 750, 700, 50),
    ]


def test_channel_mix_by_month_and_class(product):
    c = _customers("K1", "K2")
    order_of(c["K1"], product, "2026-10-05", 9000, channel="fax")
    order_of(c["K1"], product, "2026-11-05", 8000, channel="web")
    order_of(c["K2"], product, "2026-11-06", 1000, channel="phone")
    period = Period(start=date(2026, 10, 1), end=date(2026, 11, 30))

    months = selectors.channel_mix_by_month(period=period)
    assert [(m.label, m.orders["web"], m.orders["fax"], m.orders["phone"]) for m in months] == [
        ("2026-10", 0, 1, 0),
        ("2026-11", 1, 0, 1),
    ]
    assert months[1].revenue_share("web") == Decimal("0.8889")

    classes = selectors.channel_mix_by_class(period=period, cutoffs=(80, 95))
    # K1 17,000 of 18,000 → A; K2 starts at 94.4 % → B.
    assert [(k.label, k.total_orders, k.total_revenue) for k in classes] == [
        ("A", 2, 17000),
        ("B", 1, 1000),
        ("C", 0, 0),
    ]


def test_customer_trend_and_usual_products(product):
    customer = factories.make_customer()
    other = factories.make_product(name="ボルト")
    order_of(customer, product, "2025-11-10", 1000)
    make_order(customer=customer, day="2026-10-10", lines=[(product, 2000, "1"), (other, 5, "100")])
    order_of(customer, product, "2026-11-10", 3000)

    trend = selectors.customer_trend(customer_id=customer.pk, today=date(2026, 11, 30))
    assert trend.months[-1] == ("2026-11", 3000)
    assert (trend.last_12, trend.previous_12) == (5500, 1000)
    assert trend.growth_12 == Decimal("4.5")
    assert (trend.last_3, trend.same_3_last_year) == (5500, 1000)

    # The customer page reads engagement's one definition of usual products, inactive products included.
    usual = usual_products(customer_ids=[customer.pk], since=date(2025, 12, 1), active_only=False)[
        customer.pk
    ]
    assert [(u.sku, u.orders, u.quantity, u.revenue) for u in usual] == [
        (product.sku, 2, 5000, 5000),
        (other.sku, 1, 5, 500),
    ]
