"""Reads behind the staff insights pages: SQL aggregates only, never order lines in Python.

Every function here runs a fixed number of statements whatever the data size (one or two each):
revenue and margin are summed in PostgreSQL, and Python only sees per-customer, per-month or
per-band rows. Revenue is the merchandise subtotal before tax of orders that were not cancelled;
fees are counted apart. Gross margin per line is ``amount - quantity × cost_price`` where the
product has a cost price, else ``amount × INSIGHTS_DEFAULT_MARGIN_RATE`` (shown on the pages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Value
from django.utils import timezone

from catalog.models import Product
from customers.models import Customer, PriceGroup, User
from engagement.models import ReminderDigest
from engagement.rollout import INVITATION
from engagement.selectors import with_conversion
from insights.models import WebEvent
from mail.models import OutgoingEmail
from orders.models import Cart, CartLine, Order, OrderLine

CHANNELS: tuple[str, ...] = tuple(Order.Channel.values)
ONLINE: tuple[str, ...] = (Order.Channel.WEB, Order.Channel.API)
CLASSES = ("A", "B", "C")
REVENUE, MARGIN = "revenue", "margin"

_O = Order._meta.db_table
_L = OrderLine._meta.db_table
_P = Product._meta.db_table
_C = Customer._meta.db_table
_LIVE = f"o.status <> '{Order.Status.CANCELLED}'"


# ============================================================================ periods and settings


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``start`` to ``end``, both included, in the shop's time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound: midnight after ``end``."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))


def default_period(*, today: date, days: int = 365) -> Period:
    return Period(start=today - timedelta(days=days - 1), end=today)


@dataclass(frozen=True, slots=True)
class Costs:
    """The figures staff configure: handling cost per order by channel, order-size bands, margin rate."""

    handling: dict[str, Decimal]
    bands: tuple[Decimal, ...]
    default_margin_rate: Decimal

    @property
    def proxy_cost(self) -> Decimal:
        """What an order cost to take before the web channel: a phone order keyed in by staff."""
        return self.handling[Order.Channel.PHONE]


def configured_costs() -> Costs:
    return Costs(
        handling={k: Decimal(str(v)) for k, v in settings.INSIGHTS_HANDLING_COST.items()},
        bands=tuple(Decimal(str(b)) for b in settings.INSIGHTS_ORDER_BANDS),
        default_margin_rate=Decimal(str(settings.INSIGHTS_DEFAULT_MARGIN_RATE)),
    )


def configured_cutoffs() -> tuple[int, int]:
    """The A and B cut-offs in percent of the total (INSIGHTS_ABC_CUTOFFS)."""
    cut_a, cut_b = settings.INSIGHTS_ABC_CUTOFFS
    return int(cut_a), int(cut_b)


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def _rows(sql: str, params: Sequence[Any] | dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def line_margin_sql() -> str:
    """Gross margin of one order line ``l`` joined with its product ``p`` (param ``rate``).

    The one definition: the Pareto ranking by margin, the economics page and the what-if replay use it.
    """
    return "CASE WHEN p.cost_price IS NULL THEN l.amount * %(rate)s ELSE l.amount - l.quantity * p.cost_price END"


def has_cost_prices() -> bool:
    return Product.objects.filter(cost_price__isnull=False).exists()


# ============================================================================ Pareto / ABC


@dataclass(frozen=True, slots=True)
class RankedCustomer:
    customer_id: int
    code: str
    name: str
    value: Decimal
    orders: int
    rank: int
    share: Decimal
    cumulative_share: Decimal
    abc: str
    previous_abc: str = ""  # "" = no revenue in the previous period (new)
    previous_value: Decimal = Decimal(0)

    @property
    def growth(self) -> Decimal | None:
        if not self.previous_value:
            return None
        return _ratio(self.value - self.previous_value, self.previous_value)


@dataclass(frozen=True, slots=True)
class Risk:
    top: int
    value: Decimal
    share: Decimal


@dataclass(frozen=True, slots=True)
class ClassSummary:
    abc: str
    customers: int
    value: Decimal
    share: Decimal


@dataclass
class Pareto:
    metric: str
    period: Period
    previous_period: Period
    cutoffs: tuple[int, int]
    customers: list[RankedCustomer]
    total: Decimal
    previous_total: Decimal
    top20_share: Decimal
    top20_count: int
    long_tail_share: Decimal
    long_tail_count: int
    classes: list[ClassSummary]
    movements: dict[tuple[str, str], int]
    lost: list[RankedCustomer]
    risk: list[Risk]

    @property
    def risers(self) -> list[RankedCustomer]:
        """Customers who climbed a class since the previous period, biggest growth first."""
        order = {"A": 0, "B": 1, "C": 2}
        up = [c for c in self.customers if c.previous_abc and order[c.abc] < order[c.previous_abc]]
        return sorted(up, key=lambda c: (-(c.growth or 0), c.rank))


def _ranking_sql(metric: str) -> str:
    if metric == MARGIN:
        per_customer = f"""
            SELECT o.customer_id, SUM({line_margin_sql()}) AS value, COUNT(DISTINCT o.id) AS orders
            FROM {_L} l JOIN {_O} o ON o.id = l.order_id LEFT JOIN {_P} p ON p.id = l.product_id
            WHERE {_LIVE} AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
            GROUP BY o.customer_id"""
    else:
        per_customer = f"""
            SELECT o.customer_id, SUM(o.subtotal) AS value, COUNT(*) AS orders
            FROM {_O} o
            WHERE {_LIVE} AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
            GROUP BY o.customer_id"""
    # A customer's class is decided by the share of everyone ranked above it: the customer that
    # crosses the A cut-off is still needed to reach it, so it is an A.
    return f"""
        WITH per_customer AS ({per_customer}), ranked AS (
            SELECT customer_id, value, orders,
                   ROW_NUMBER() OVER w AS rank,
                   SUM(value) OVER w AS cumulative,
                   SUM(value) OVER () AS total
            FROM per_customer WHERE value > 0
            WINDOW w AS (ORDER BY value DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT r.customer_id, c.code, c.name, r.value, r.orders, r.rank, r.cumulative, r.total,
               CASE WHEN r.cumulative - r.value < r.total * %(cut_a)s THEN 'A'
                    WHEN r.cumulative - r.value < r.total * %(cut_b)s THEN 'B' ELSE 'C' END
        FROM ranked r JOIN {_C} c ON c.id = r.customer_id
        ORDER BY r.rank"""


def rank_customers(
    *, period: Period, metric: str = REVENUE, cutoffs: tuple[int, int] | None = None
) -> list[RankedCustomer]:
    """Customers with a positive revenue (or margin) in ``period``, ranked, with cumulative share and class.

    One statement. ``cutoffs`` are percentages of the total: A up to the first, B up to the second.
    """
    cut_a, cut_b = cutoffs or configured_cutoffs()
    params = {
        "start": period.start_at,
        "end": period.end_at,
        "cut_a": Decimal(cut_a) / 100,
        "cut_b": Decimal(cut_b) / 100,
        "rate": configured_costs().default_margin_rate,
    }
    ranked = []
    for cid, code, name, value, orders, rank, cumulative, total, abc in _rows(_ranking_sql(metric), params):
        ranked.append(
            RankedCustomer(
                customer_id=cid,
                code=code,
                name=name,
                value=Decimal(value).quantize(Decimal(1)),
                orders=orders,
                rank=rank,
                share=_ratio(value, total),
                cumulative_share=_ratio(cumulative, total),
                abc=abc,
            )
        )
    return ranked


def pareto(*, period: Period, metric: str = REVENUE, cutoffs: tuple[int, int] | None = None) -> Pareto:
    """Ranking, curve, classes, top-20 % and long-tail shares, class movements and dependency risk.

    Two statements: this period's ranking and the previous period's.
    """
    cutoffs = cutoffs or configured_cutoffs()
    previous_period = period.previous()
    current = rank_customers(period=period, metric=metric, cutoffs=cutoffs)
    before = {
        c.customer_id: c for c in rank_customers(period=previous_period, metric=metric, cutoffs=cutoffs)
    }
    customers = [
        replace(
            c,
            previous_abc=before[c.customer_id].abc if c.customer_id in before else "",
            previous_value=before[c.customer_id].value if c.customer_id in before else Decimal(0),
        )
        for c in current
    ]
    total = sum((c.value for c in customers), Decimal(0))
    n = len(customers)
    top_n = -(-n * 20 // 100)  # ceil(20 %)
    top_value = sum((c.value for c in customers[:top_n]), Decimal(0))
    classes = []
    for abc in CLASSES:
        members = [c for c in customers if c.abc == abc]
        value = sum((c.value for c in members), Decimal(0))
        classes.append(ClassSummary(abc=abc, customers=len(members), value=value, share=_ratio(value, total)))
    movements: dict[tuple[str, str], int] = defaultdict(int)
    for c in customers:
        movements[(c.previous_abc, c.abc)] += 1
    current_ids = {c.customer_id for c in customers}
    lost = [c for c in before.values() if c.customer_id not in current_ids]
    for c in lost:
        movements[(c.abc, "")] += 1
    risk = []
    for top in (1, 3, 5):
        value = sum((c.value for c in customers[:top]), Decimal(0))
        risk.append(Risk(top=top, value=value, share=_ratio(value, total)))
    tail = classes[2]
    return Pareto(
        metric=metric,
        period=period,
        previous_period=previous_period,
        cutoffs=cutoffs,
        customers=customers,
        total=total,
        previous_total=sum((c.value for c in before.values()), Decimal(0)),
        top20_share=_ratio(top_value, total),
        top20_count=top_n,
        long_tail_share=tail.share,
        long_tail_count=tail.customers,
        classes=classes,
        movements=dict(movements),
        lost=sorted(lost, key=lambda c: c.rank),
        risk=risk,
    )


# ============================================================================ retention (1:5 rule)


@dataclass(frozen=True, slots=True)
class ChurnedCustomer:
    customer_id: int
    code: str
    name: str
    previous_revenue: Decimal
    last_order_at: datetime


@dataclass(frozen=True, slots=True)
class Cohort:
    month: date
    customers: int
    active: tuple[int, ...]  # customers ordering in month 0, 1, 2, … after the first order
    revenue: tuple[Decimal, ...]

    def retention(self) -> list[Decimal]:
        return [_ratio(n, self.customers) for n in self.active]


@dataclass
class Retention:
    period: Period
    previous_period: Period
    active: int
    repeaters: int
    new_customers: int
    new_revenue: Decimal
    existing_customers: int
    existing_revenue: Decimal
    churned: list[ChurnedCustomer]
    cohorts: list[Cohort] = field(default_factory=list)
    cohort_months: int = 12

    @property
    def repeat_rate(self) -> Decimal:
        return _ratio(self.repeaters, self.active)

    @property
    def revenue(self) -> Decimal:
        return self.new_revenue + self.existing_revenue

    @property
    def existing_share(self) -> Decimal:
        return _ratio(self.existing_revenue, self.revenue)

    @property
    def churned_revenue(self) -> Decimal:
        return sum((c.previous_revenue for c in self.churned), Decimal(0))


def retention(*, period: Period, cohort_months: int = 12) -> Retention:
    """Repeat rate, existing vs new customers' revenue, churned customers, cohorts by first-order month.

    Repeat rate: customers with two or more orders in the period / customers with any. New: the
    customer's first order ever falls in the period. Churned: ordered in the previous period of
    the same length, not in this one; their revenue is what they bought in the previous period.
    Three statements.
    """
    prev = period.previous()
    params = {"start": period.start_at, "end": period.end_at, "pstart": prev.start_at}
    firsts = f"SELECT customer_id, MIN(placed_at) AS first_at FROM {_O} o WHERE {_LIVE} GROUP BY customer_id"
    ((active, repeaters, new_n, new_rev, old_n, old_rev),) = _rows(
        f"""
        WITH cur AS (
            SELECT customer_id, COUNT(*) AS n, SUM(subtotal) AS revenue FROM {_O} o
            WHERE {_LIVE} AND placed_at >= %(start)s AND placed_at < %(end)s GROUP BY customer_id
        ), firsts AS ({firsts})
        SELECT COUNT(*), COUNT(*) FILTER (WHERE cur.n >= 2),
               COUNT(*) FILTER (WHERE f.first_at >= %(start)s),
               COALESCE(SUM(cur.revenue) FILTER (WHERE f.first_at >= %(start)s), 0),
               COUNT(*) FILTER (WHERE f.first_at < %(start)s),
               COALESCE(SUM(cur.revenue) FILTER (WHERE f.first_at < %(start)s), 0)
        FROM cur JOIN firsts f USING (customer_id)""",
        params,
    )
    churned = [
        ChurnedCustomer(customer_id=cid, code=code, name=name, previous_revenue=rev, last_order_at=last)
        for cid, code, name, rev, last in _rows(
            f"""
            SELECT c.id, c.code, c.name, SUM(o.subtotal), MAX(o.placed_at) FROM {_O} o JOIN {_C} c
              ON c.id = o.customer_id
            WHERE {_LIVE} AND o.placed_at >= %(pstart)s AND o.placed_at < %(start)s
              AND NOT EXISTS (SELECT 1 FROM {_O} x WHERE x.customer_id = o.customer_id
                              AND x.status <> 'cancelled' AND x.placed_at >= %(start)s AND x.placed_at < %(end)s)
            GROUP BY c.id, c.code, c.name ORDER BY SUM(o.subtotal) DESC, c.id""",
            params,
        )
    ]
    return Retention(
        period=period,
        previous_period=prev,
        active=active,
        repeaters=repeaters,
        new_customers=new_n,
        new_revenue=new_rev,
        existing_customers=old_n,
        existing_revenue=old_rev,
        churned=churned,
        cohorts=cohorts(period=period, months=cohort_months),
        cohort_months=cohort_months,
    )


def cohorts(*, period: Period, months: int = 12) -> list[Cohort]:
    """Customers grouped by the month of their first order (first orders within ``period``).

    For each cohort: how many of them ordered in month 0, 1, … ``months - 1`` after it, and their
    revenue, up to the end of the period. One statement.
    """
    tz = timezone.get_current_timezone_name()
    rows = _rows(
        f"""
        WITH firsts AS (
            SELECT customer_id, date_trunc('month', MIN(placed_at) AT TIME ZONE %(tz)s)::date AS cohort
            FROM {_O} o WHERE {_LIVE} GROUP BY customer_id
        ), monthly AS (
            SELECT customer_id, date_trunc('month', placed_at AT TIME ZONE %(tz)s)::date AS month,
                   SUM(subtotal) AS revenue
            FROM {_O} o WHERE {_LIVE} AND placed_at < %(end)s GROUP BY 1, 2
        )
        SELECT f.cohort,
               (EXTRACT(YEAR FROM age(m.month, f.cohort)) * 12 + EXTRACT(MONTH FROM age(m.month, f.cohort)))::int,
               COUNT(*), SUM(m.revenue)
        FROM firsts f JOIN monthly m USING (customer_id)
        WHERE f.cohort >= date_trunc('month', %(start)s::date)::date AND f.cohort <= %(last)s::date
        GROUP BY 1, 2 ORDER BY 1, 2""",
        {"tz": tz, "start": period.start, "end": period.end_at, "last": period.end},
    )
    by_month: dict[date, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    for cohort, offset, n, revenue in rows:
        if offset < months:
            by_month[cohort][offset] = (n, revenue)
    result = []
    for month in sorted(by_month):
        cells = by_month[month]
        size = cells.get(0, (0, Decimal(0)))[0]
        result.append(
            Cohort(
                month=month,
                customers=size,
                active=tuple(cells.get(i, (0, Decimal(0)))[0] for i in range(months)),
                revenue=tuple(cells.get(i, (0, Decimal(0)))[1] for i in range(months)),
            )
        )
    return result


# ============================================================================ small-order economics


@dataclass(frozen=True, slots=True)
class Band:
    """Orders whose subtotal is at least ``lower`` and below ``upper`` (None = no upper bound)."""

    lower: Decimal
    upper: Decimal | None
    orders: int
    by_channel: dict[str, int]
    revenue: Decimal
    fees: Decimal
    margin: Decimal
    handling: Decimal  # what taking these orders cost, channel by channel
    handling_before_web: Decimal  # the same orders all taken by phone/FAX (before the web channel)

    @property
    def profit(self) -> Decimal:
        return self.margin + self.fees - self.handling

    @property
    def profit_before_web(self) -> Decimal:
        return self.margin + self.fees - self.handling_before_web

    @property
    def web_share(self) -> Decimal:
        online = self.by_channel.get(Order.Channel.WEB, 0) + self.by_channel.get(Order.Channel.API, 0)
        return _ratio(online, self.orders)


def _band_bounds(costs: Costs) -> list[tuple[Decimal, Decimal | None]]:
    lowers = [Decimal(0), *costs.bands]
    uppers: list[Decimal | None] = [*costs.bands, None]
    return list(zip(lowers, uppers, strict=True))


def _order_margin_cte() -> str:
    return f"""
        per_order AS (
            SELECT o.id, o.customer_id, o.channel, o.subtotal, o.fees_total, o.placed_at,
                   COALESCE(SUM({line_margin_sql()}), 0) AS margin
            FROM {_O} o LEFT JOIN {_L} l ON l.order_id = o.id LEFT JOIN {_P} p ON p.id = l.product_id
            WHERE {_LIVE} AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
            GROUP BY o.id
        )"""


def _bands_from(rows: list[tuple], costs: Costs) -> list[Band]:
    acc: dict[int, dict[str, Any]] = {
        i: {"orders": 0, "by_channel": dict.fromkeys(CHANNELS, 0), "revenue": Decimal(0), "fees": Decimal(0),
            "margin": Decimal(0), "handling": Decimal(0)}
        for i in range(len(costs.bands) + 1)
    }  # fmt: skip
    for bucket, channel, n, revenue, fees, margin, handling in rows:
        a = acc[bucket]
        a["orders"] += n
        a["by_channel"][channel] = a["by_channel"].get(channel, 0) + n
        a["revenue"] += revenue
        a["fees"] += fees
        a["margin"] += margin
        a["handling"] += handling
    return [
        Band(
            lower=lower,
            upper=upper,
            orders=a["orders"],
            by_channel=a["by_channel"],
            revenue=a["revenue"],
            fees=a["fees"],
            margin=a["margin"].quantize(Decimal(1)),
            handling=a["handling"],
            handling_before_web=a["orders"] * costs.proxy_cost,
        )
        for (lower, upper), a in zip(_band_bounds(costs), (acc[i] for i in sorted(acc)), strict=True)
    ]


def order_bands(*, period: Period, costs: Costs | None = None) -> list[Band]:
    """Orders by size band and channel: count, revenue, fees, gross margin and handling cost."""
    return economics(period=period, costs=costs).bands


@dataclass(frozen=True, slots=True)
class CustomerProfit:
    customer_id: int
    code: str
    name: str
    orders: int
    revenue: Decimal
    fees: Decimal
    margin: Decimal
    handling: Decimal

    @property
    def profit(self) -> Decimal:
        return self.margin + self.fees - self.handling


def customer_profits(*, period: Period, costs: Costs | None = None) -> list[CustomerProfit]:
    """Per customer: gross margin + fees collected − orders × handling cost of their channel; best first."""
    return economics(period=period, costs=costs).profits


@dataclass
class Economics:
    bands: list[Band]
    profits: list[CustomerProfit]


def economics(*, period: Period, costs: Costs | None = None) -> Economics:
    """Size bands and profit per customer from one pass over the period's order lines. One statement.

    GROUPING SETS aggregate the per-order margins twice in the same scan: by (band, channel) and
    by customer; the order lines are read once.
    """
    costs = costs or configured_costs()
    cases = " ".join(f"WHEN '{ch}' THEN %(cost_{ch})s" for ch in CHANNELS)
    params: dict[str, Any] = {
        "start": period.start_at,
        "end": period.end_at,
        "rate": costs.default_margin_rate,
        "proxy": costs.proxy_cost,
        "bands": list(costs.bands),
        **{f"cost_{ch}": costs.handling.get(ch, costs.proxy_cost) for ch in CHANNELS},
    }
    rows = _rows(
        f"""
        WITH {_order_margin_cte()}, grouped AS (
            SELECT GROUPING(po.customer_id) AS by_band, po.bucket, po.channel, po.customer_id, COUNT(*) AS n, SUM(po.subtotal) AS revenue,
                   SUM(po.fees_total) AS fees, SUM(po.margin) AS margin,
                   SUM(CASE po.channel {cases} ELSE %(proxy)s END) AS handling
            FROM (SELECT *, width_bucket(subtotal, %(bands)s::numeric[]) AS bucket FROM per_order) po
            GROUP BY GROUPING SETS ((po.bucket, po.channel), (po.customer_id))
        )
        SELECT g.by_band, g.bucket, g.channel, g.customer_id, c.code, c.name, g.n, g.revenue, g.fees, g.margin,
               g.handling
        FROM grouped g LEFT JOIN {_C} c ON c.id = g.customer_id""",
        params,
    )
    band_rows = [(bucket, ch, n, rev, fees, margin, handling)
                 for by_band, bucket, ch, _cid, _code, _name, n, rev, fees, margin, handling in rows if by_band]  # fmt: skip
    profits = [
        CustomerProfit(
            customer_id=cid,
            code=code,
            name=name,
            orders=n,
            revenue=revenue,
            fees=fees,
            margin=Decimal(margin).quantize(Decimal(1)),
            handling=Decimal(handling),
        )
        for by_band, _bucket, _ch, cid, code, name, n, revenue, fees, margin, handling in rows
        if not by_band
    ]
    profits.sort(key=lambda p: (-p.profit, p.customer_id))
    return Economics(bands=_bands_from(band_rows, costs), profits=profits)


# ============================================================================ channel mix


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """One row of the channel mix: a month, or a customer class."""

    label: str
    orders: dict[str, int]
    revenue: dict[str, Decimal]

    @property
    def total_orders(self) -> int:
        return sum(self.orders.values())

    @property
    def total_revenue(self) -> Decimal:
        return sum(self.revenue.values(), Decimal(0))

    def order_share(self, channel: str) -> Decimal:
        return _ratio(self.orders.get(channel, 0), self.total_orders)

    def revenue_share(self, channel: str) -> Decimal:
        return _ratio(self.revenue.get(channel, Decimal(0)), self.total_revenue)

    @property
    def online_order_share(self) -> Decimal:
        """Share of orders placed by the buyers themselves (web and API)."""
        return _ratio(sum(self.orders.get(ch, 0) for ch in ONLINE), self.total_orders)

    @property
    def online_revenue_share(self) -> Decimal:
        return _ratio(
            sum((self.revenue.get(ch, Decimal(0)) for ch in ONLINE), Decimal(0)), self.total_revenue
        )


def _channel_rows(rows: list[tuple], labels: list[str]) -> list[ChannelRow]:
    orders: dict[str, dict[str, int]] = {label: dict.fromkeys(CHANNELS, 0) for label in labels}
    revenue: dict[str, dict[str, Decimal]] = {label: dict.fromkeys(CHANNELS, Decimal(0)) for label in labels}
    for label, channel, n, rev in rows:
        orders.setdefault(label, dict.fromkeys(CHANNELS, 0))[channel] = n
        revenue.setdefault(label, dict.fromkeys(CHANNELS, Decimal(0)))[channel] = rev
    return [ChannelRow(label=label, orders=orders[label], revenue=revenue[label]) for label in orders]


def channel_mix_by_month(*, period: Period) -> list[ChannelRow]:
    """Orders and revenue per channel for every month of the period. One statement."""
    tz = timezone.get_current_timezone_name()
    rows = _rows(
        f"""
        SELECT to_char(date_trunc('month', placed_at AT TIME ZONE %(tz)s), 'YYYY-MM'), channel, COUNT(*),
               SUM(subtotal)
        FROM {_O} o WHERE {_LIVE} AND placed_at >= %(start)s AND placed_at < %(end)s
        GROUP BY 1, 2 ORDER BY 1""",
        {"tz": tz, "start": period.start_at, "end": period.end_at},
    )
    months: list[str] = []
    first = period.start.replace(day=1)
    while first <= period.end:
        months.append(first.strftime("%Y-%m"))
        first = (first + timedelta(days=32)).replace(day=1)
    return _channel_rows(rows, months)


def channel_mix_by_class(*, period: Period, cutoffs: tuple[int, int] | None = None) -> list[ChannelRow]:
    """Orders and revenue per channel for the A, B and C customers of the period. One statement."""
    cut_a, cut_b = cutoffs or configured_cutoffs()
    rows = _rows(
        f"""
        WITH per_customer AS (
            SELECT customer_id, SUM(subtotal) AS value FROM {_O} o
            WHERE {_LIVE} AND placed_at >= %(start)s AND placed_at < %(end)s GROUP BY customer_id
        ), ranked AS (
            SELECT customer_id, value, SUM(value) OVER w AS cumulative, SUM(value) OVER () AS total
            FROM per_customer WHERE value > 0
            WINDOW w AS (ORDER BY value DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        ), classes AS (
            SELECT customer_id, CASE WHEN cumulative - value < total * %(cut_a)s THEN 'A'
                                     WHEN cumulative - value < total * %(cut_b)s THEN 'B' ELSE 'C' END AS abc
            FROM ranked
        )
        SELECT k.abc, o.channel, COUNT(*), SUM(o.subtotal)
        FROM {_O} o JOIN classes k USING (customer_id)
        WHERE {_LIVE} AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
        GROUP BY 1, 2""",
        {
            "start": period.start_at,
            "end": period.end_at,
            "cut_a": Decimal(cut_a) / 100,
            "cut_b": Decimal(cut_b) / 100,
        },
    )
    return _channel_rows(rows, list(CLASSES))


@dataclass(frozen=True, slots=True)
class PilotChannelRow:
    """Channel mix of one web-rollout pilot scope (a prefecture or a price group), before and since the invitation.

    ``scope`` is ``prefecture``, ``price_group`` or ``""`` (customers never invited, for comparison).
    """

    scope: str
    value: str
    since_invitation: bool
    customers: int
    mix: ChannelRow


def channel_mix_by_pilot(*, period: Period) -> list[PilotChannelRow]:
    """Orders and revenue per channel for each web-rollout pilot scope. One statement.

    The rollout (``engagement.rollout``) switches web ordering on and invites the buyers of the
    customers staff picked by prefecture or price group; a customer is in a pilot from its first
    invitation e-mail. For every prefecture and price group holding invited customers, their
    orders of the period are split into those placed before and since their invitation, so staff
    see whether the pilot moved orders to the web; customers never invited form the last row.
    """
    users = connection.ops.quote_name(User._meta.db_table)
    rows = _rows(
        f"""
        WITH invited AS (
            SELECT u.customer_id, MIN(e.created_at) AS invited_at
            FROM {OutgoingEmail._meta.db_table} e JOIN {users} u ON u.id = e.recipient_id
            WHERE e.kind = %(invitation)s GROUP BY u.customer_id
        ), live AS (
            SELECT o.customer_id, o.channel, o.subtotal, c.prefecture, pg.name AS price_group,
                   i.invited_at IS NOT NULL AS piloted, o.placed_at >= i.invited_at AS since
            FROM {_O} o JOIN {_C} c ON c.id = o.customer_id
            LEFT JOIN {PriceGroup._meta.db_table} pg ON pg.id = c.price_group_id
            LEFT JOIN invited i ON i.customer_id = o.customer_id
            WHERE {_LIVE} AND o.placed_at >= %(start)s AND o.placed_at < %(end)s
        )
        SELECT GROUPING(prefecture), GROUPING(price_group), GROUPING(channel), piloted, prefecture, price_group,
               since, channel, COUNT(*), SUM(subtotal), COUNT(DISTINCT customer_id)
        FROM live
        GROUP BY GROUPING SETS ((piloted, prefecture, since, channel), (piloted, prefecture, since),
                                (piloted, price_group, since, channel), (piloted, price_group, since),
                                (piloted, channel), (piloted))""",
        {"invitation": INVITATION, "start": period.start_at, "end": period.end_at},
    )
    cells: dict[tuple[str, str, bool], list[tuple[str, int, Decimal]]] = defaultdict(list)
    customers: dict[tuple[str, str, bool], int] = {}
    for by_pref, by_group, all_channels, piloted, prefecture, group, since, channel, n, revenue, who in rows:
        if not by_pref and piloted:
            key = ("prefecture", prefecture, bool(since))
        elif not by_group and piloted and group is not None:
            key = ("price_group", group, bool(since))
        elif by_pref and by_group and not piloted:
            key = ("", "", False)
        else:
            continue
        if all_channels:
            customers[key] = who  # distinct customers over all channels
        else:
            cells[key].append((channel, n, revenue))
    order = {"prefecture": 0, "price_group": 1, "": 2}
    return [
        PilotChannelRow(
            scope=scope,
            value=value,
            since_invitation=since,
            customers=customers.get((scope, value, since), 0),
            mix=_channel_rows(
                [(value, ch, n, rev) for ch, n, rev in cells[(scope, value, since)]], [value]
            ).pop(),
        )
        for scope, value, since in sorted(cells, key=lambda k: (order[k[0]], k[1], k[2]))
    ]


# ============================================================================ one customer (待ちの営業)


@dataclass
class CustomerTrend:
    months: list[tuple[str, Decimal]]
    last_12: Decimal
    previous_12: Decimal
    last_3: Decimal
    same_3_last_year: Decimal

    @property
    def growth_12(self) -> Decimal | None:
        return _ratio(self.last_12 - self.previous_12, self.previous_12) if self.previous_12 else None

    @property
    def growth_3(self) -> Decimal | None:
        if not self.same_3_last_year:
            return None
        return _ratio(self.last_3 - self.same_3_last_year, self.same_3_last_year)


def _month_starts(*, today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def customer_trend(*, customer_id: int, today: date) -> CustomerTrend:
    """Monthly revenue of the last 24 months (this month included) and growth. One statement."""
    months = _month_starts(today=today, count=24)
    tz = timezone.get_current_timezone_name()
    start = timezone.make_aware(datetime.combine(months[0], time.min))
    by_month = dict(
        _rows(
            f"""
            SELECT date_trunc('month', placed_at AT TIME ZONE %(tz)s)::date, SUM(subtotal) FROM {_O} o
            WHERE {_LIVE} AND customer_id = %(cid)s AND placed_at >= %(start)s GROUP BY 1""",
            {"tz": tz, "cid": customer_id, "start": start},
        )
    )
    values = [by_month.get(m, Decimal(0)) for m in months]
    return CustomerTrend(
        months=[(m.strftime("%Y-%m"), v) for m, v in zip(months, values, strict=True)],
        last_12=sum(values[12:], Decimal(0)),
        previous_12=sum(values[:12], Decimal(0)),
        last_3=sum(values[21:], Decimal(0)),
        same_3_last_year=sum(values[9:12], Decimal(0)),
    )


@dataclass(frozen=True, slots=True)
class LastOrder:
    number: str
    placed_at: datetime
    subtotal: Decimal
    channel: str

    @property
    def channel_label(self) -> str:
        return str(Order.Channel(self.channel).label)


@dataclass(frozen=True, slots=True)
class CustomerHeader:
    """What the customer page shows at the top: the company, its price group and sales rep, its last order."""

    id: int
    code: str
    name: str
    prefecture: str
    price_group: str  # "code name", "" without one
    owner: str  # the sales rep's e-mail, "" without one
    last_order: LastOrder | None


def customer_header(*, customer_id: int) -> CustomerHeader | None:
    """The company and its last order (any status), or None for an unknown id. One statement.

    Plain SQL rather than two ORM queries: on a page whose own SQL takes a few milliseconds,
    building ORM queries and model instances cost more than the database did.
    """
    users = connection.ops.quote_name(User._meta.db_table)
    rows = _rows(
        f"""
        SELECT c.id, c.code, c.name, c.prefecture, COALESCE(pg.code || ' ' || pg.name, ''), COALESCE(u.email, ''),
               lo.number, lo.placed_at, lo.subtotal, lo.channel
        FROM {_C} c LEFT JOIN {PriceGroup._meta.db_table} pg ON pg.id = c.price_group_id
        LEFT JOIN {users} u ON u.id = c.owner_id
        LEFT JOIN LATERAL (
            SELECT o.number, o.placed_at, o.subtotal, o.channel FROM {_O} o WHERE o.customer_id = c.id
            ORDER BY o.placed_at DESC, o.id DESC LIMIT 1
        ) lo ON true
        WHERE c.id = %s""",
        [customer_id],
    )
    if not rows:
        return None
    cid, code, name, prefecture, group, owner, number, placed_at, subtotal, channel = rows[0]
    last = LastOrder(number, placed_at, subtotal, channel) if number is not None else None
    return CustomerHeader(cid, code, name, prefecture, group, owner, last)


# ============================================================================ reminders sent to one customer


@dataclass(frozen=True, slots=True)
class SentReminder:
    """One reorder-reminder e-mail (engagement): when, to whom, which items, and whether an order followed."""

    on_date: date
    created_at: datetime
    to_email: str
    status: str  # the e-mail's send status ("" when it was never queued)
    skus: tuple[str, ...]
    converted: bool

    @property
    def status_label(self) -> str:
        return str(OutgoingEmail.Status(self.status).label) if self.status else ""


def reminder_history(*, customer_id: int, since: date, limit: int = 30) -> list[SentReminder]:
    """The customer's reorder-reminder e-mails since ``since``, newest first. One statement.

    "Converted" is engagement's own definition (``engagement.selectors.with_conversion``: a
    non-cancelled order within ``REMINDER_CONVERSION_DAYS`` of the e-mail), so this page and the
    reminder admin never disagree.
    """
    digests = (
        with_conversion(ReminderDigest.objects.filter(customer_id=customer_id, on_date__gte=since))
        .annotate(skus=ArrayAgg("items__product__sku", order_by="items__product__sku", default=Value([])))
        .values_list("on_date", "created_at", "email__to_email", "email__status", "skus", "converted")
        .order_by("-on_date", "-id")[:limit]
    )
    return [
        SentReminder(
            on_date=on_date,
            created_at=created_at,
            to_email=to_email or "",
            status=status or "",
            skus=tuple(skus),
            converted=converted,
        )
        for on_date, created_at, to_email, status, skus, converted in digests
    ]


# ============================================================================ web history of one customer


@dataclass(frozen=True, slots=True)
class LeftCart:
    """Cart activity not followed by an order within a day (or a cart that still waits)."""

    user_email: str
    last_activity_at: datetime
    changes: int
    still_open: bool


@dataclass(frozen=True, slots=True)
class RecentEvent:
    at: datetime
    kind: str
    detail: str

    @property
    def kind_label(self) -> str:
        return str(WebEvent.Kind(self.kind).label)


@dataclass
class WebHistory:
    days: int
    counts: dict[str, int]
    recent: list[RecentEvent]
    top_searches: list[tuple[str, int]]
    top_viewed: list[tuple[str, int]]
    left_carts: list[LeftCart]
    last_login_at: datetime | None


def web_history(*, customer_id: int, now: datetime, days: int = 90) -> WebHistory:
    """Logins, searches, products viewed and carts left without an order. Five statements."""
    since = now - timedelta(days=days)
    counts = dict.fromkeys(WebEvent.Kind.values, 0)
    last_login = None
    for kind, n, last in _rows(
        f"SELECT kind, COUNT(*), MAX(at) FROM {WebEvent._meta.db_table} WHERE customer_id = %s AND at >= %s "
        "GROUP BY kind",
        [customer_id, since],
    ):
        counts[kind] = n
        if kind == WebEvent.Kind.LOGIN:
            last_login = last
    tops = _rows(
        f"""
        SELECT kind, detail, n FROM (
            SELECT kind, detail, COUNT(*) AS n,
                   ROW_NUMBER() OVER (PARTITION BY kind ORDER BY COUNT(*) DESC, detail) AS r
            FROM {WebEvent._meta.db_table} WHERE customer_id = %s AND at >= %s AND kind IN ('search', 'view')
            GROUP BY kind, detail
        ) t WHERE r <= 10 ORDER BY kind, n DESC, detail""",
        [customer_id, since],
    )
    users = connection.ops.quote_name(User._meta.db_table)
    left = [
        LeftCart(user_email=email, last_activity_at=last, changes=n, still_open=bool(still_open))
        for email, last, n, still_open in _rows(
            f"""
            WITH days AS (
                SELECT e.user_id, date_trunc('day', e.at) AS day, MAX(e.at) AS last, COUNT(*) AS n
                FROM {WebEvent._meta.db_table} e
                WHERE e.customer_id = %(cid)s AND e.at >= %(since)s AND e.kind = 'cart' GROUP BY 1, 2
            )
            SELECT u.email, d.last, d.n,
                   EXISTS (SELECT 1 FROM {Cart._meta.db_table} c JOIN {CartLine._meta.db_table} cl ON cl.cart_id = c.id
                           WHERE c.buyer_id = d.user_id)
            FROM days d JOIN {users} u ON u.id = d.user_id
            WHERE d.last < %(now)s - interval '1 day'
              AND NOT EXISTS (SELECT 1 FROM {_O} o WHERE o.customer_id = %(cid)s
                              AND o.placed_at >= d.last AND o.placed_at < d.last + interval '1 day')
            ORDER BY d.last DESC LIMIT 20""",
            {"cid": customer_id, "since": since, "now": now},
        )
    ]
    return WebHistory(
        days=days,
        counts=counts,
        recent=[
            RecentEvent(at, kind, detail)
            for at, kind, detail in _rows(
                f"SELECT at, kind, detail FROM {WebEvent._meta.db_table} WHERE customer_id = %s AND at >= %s "
                "ORDER BY at DESC, id DESC LIMIT 30",
                [customer_id, since],
            )
        ],
        top_searches=[(d, n) for k, d, n in tops if k == WebEvent.Kind.SEARCH],
        top_viewed=[(d, n) for k, d, n in tops if k == WebEvent.Kind.VIEW],
        left_carts=left,
        last_login_at=last_login,
    )
