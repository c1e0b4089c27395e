"""Issue 16 without a browser: history search and CSV, postal codes, quick order, addresses, messages."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from b2bshop.text import full_address
from orders.models import CartLine
from orders.services.quick_order import example_line
from pricing_rules import engine
from pricing_rules.messages import limits_sentence
from tests import factories
from tests.orders.builders import fill_cart, make_rule
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (engine.LineLimits(minimum=100, multiple=121, smallest_valid=121), "ご注文は121個以上、121個単位で"),
        (engine.LineLimits(minimum=24, multiple=1, smallest_valid=24), "ご注文は24個以上で"),
        (engine.LineLimits(minimum=1, multiple=12, smallest_valid=12), "ご注文は12個以上、12個単位で"),
        (
            engine.LineLimits(minimum=10, multiple=10, maximum=1000, smallest_valid=10, largest_valid=1000),
            "ご注文は10個以上、10個単位、最大1,000個で",
        ),
        (engine.LineLimits(), ""),
        (
            engine.LineLimits(minimum=50, maximum=10, smallest_valid=None),
            "この商品は現在ご注文いただけません",
        ),
    ],
)
def test_limits_come_out_as_one_sentence(limits, expected):
    assert limits_sentence(limits, "個") == expected


def test_engine_line_limits_combine_every_rule_like_the_cart_does():
    product = engine.Product(sku="BOL-1", name="ボルト", unit="個", category_codes=("BOLT",), moq=50)
    rules = [
        engine.Rule(code="a", kind="minimum_quantity", quantity=100, scope=engine.Scope(categories={"BOLT"})),
        engine.Rule(code="b", kind="order_multiple", quantity=121, scope=engine.Scope(skus={"BOL-1"})),
    ]
    buyer = engine.Buyer(customer_code="C1")
    on = datetime(2026, 12, 1, tzinfo=TOKYO).date()
    limits = engine.line_limits(product=product, buyer=buyer, rules=rules, on=on)
    assert (limits.minimum, limits.multiple, limits.smallest_valid) == (100, 121, 121)
    line = engine.evaluate(
        lines=[engine.Line(product, 50, engine.Decimal(1))], buyer=buyer, rules=rules, on=on
    )
    assert line.lines[0].limits == limits


def _order_on(buyer, *, day: int, po: str, product):
    placed = datetime(2026, 11, day, 10, 0, tzinfo=TOKYO)
    return make_confirmed_order(buyer=buyer, items=[(product, 12)], po_number=po, placed_at=placed)


def test_history_search_by_po_sku_and_dates_never_shows_another_company(buyer_client, buyer):
    tape = factories.make_product(sku="TAP-1", name="布テープ")
    pen = factories.make_product(sku="PEN-1", name="ボールペン")
    first = _order_on(buyer, day=2, po="PO-APRIL", product=tape)
    second = _order_on(buyer, day=20, po="PO-MAY", product=pen)
    _order_on(factories.make_buyer(), day=20, po="PO-MAY", product=pen)  # someone else's

    def numbers(**params):
        html = buyer_client.get(reverse("orders:history"), params).content.decode()
        return {n for n in (first.number, second.number) if n in html}, html

    assert numbers()[0] == {first.number, second.number}
    assert numbers(q="PO-MAY")[0] == {second.number}
    assert numbers(q="TAP-1")[0] == {first.number}
    assert numbers(q="ボールペン")[0] == {second.number}
    assert numbers(date_from="2026-11-10")[0] == {second.number}
    found, html = numbers(q="PO-MAY")
    assert "1件" in html


def test_history_csv_is_one_row_per_line_and_neutralises_formulas(buyer_client, buyer):
    evil = factories.make_product(sku="EVL-1", name='=HYPERLINK("http://x")')
    order = _order_on(buyer, day=5, po="+PO-1", product=evil)
    _order_on(factories.make_buyer(), day=5, po="OTHER", product=evil)
    response = buyer_client.get(reverse("orders:history_csv"), {"q": "EVL-1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "注文番号"
    assert len(rows) == 2  # header + the one line of this company's one order
    assert rows[1][0] == order.number and rows[1][3] == "'+PO-1" and rows[1][6].startswith("'=")
    assert rows[1][7] == "12"


def test_postal_code_lookup_answers_prefecture_city_town_or_404(buyer_client):
    found = buyer_client.get(reverse("catalog:postal_code"), {"postal_code": "３３０-００６１"})
    assert found.json() == {
        "postal_code": "330-0061",
        "prefecture": "埼玉県",
        "city": "さいたま市浦和区",
        "town": "常盤",
    }
    missing = buyer_client.get(reverse("catalog:postal_code"), {"postal_code": "0000000"})
    assert missing.status_code == 404 and "郵便番号" in missing.json()["error"]


def test_quick_order_accepts_full_width_skus_and_shows_a_real_example(buyer_client, buyer):
    factories.make_product(sku="BOL-00007", moq=10)
    page = buyer_client.get(reverse("orders:quick_order")).content.decode()
    assert "例: BOL-00007 10 (品番、空白、数量)" in page
    assert example_line(customer=buyer.customer, on=datetime(2026, 12, 1).date()) == "BOL-00007 10"
    buyer_client.post(reverse("orders:quick_order"), {"lines": "ＢＯＬ－００００７　２０"})
    assert CartLine.objects.get().quantity == 20


def test_prefecture_is_printed_once():
    assert full_address("埼玉県", "埼玉県さいたま市浦和区常盤1-1") == "埼玉県さいたま市浦和区常盤1-1"
    assert full_address("埼玉県", "さいたま市浦和区常盤1-1") == "埼玉県さいたま市浦和区常盤1-1"
    assert full_address("", "さいたま市") == "さいたま市"


def test_minimum_order_amount_message_has_the_yen_sign(buyer_client, buyer):
    make_rule(code="min-amount", kind="minimum_order_amount", amount="3000")
    fill_cart(buyer, (factories.make_product(base_price="100"), 10))
    page = buyer_client.get(reverse("orders:cart")).content.decode()
    assert "最低ご注文金額は¥3,000です" in page


def test_cart_update_with_a_bad_quantity_without_htmx_answers_400_in_place(buyer_client, buyer):
    product = factories.make_product(sku="TAP-1")
    fill_cart(buyer, (product, 10))
    response = buyer_client.post(reverse("orders:cart_line", args=["TAP-1"]), {"quantity": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="abc"' in html and 'aria-invalid="true"' in html and "数量は整数で入力してください" in html
    assert CartLine.objects.get().quantity == 10
    assert 'class="messages"' not in buyer_client.get(reverse("orders:cart")).content.decode()


def test_product_page_limits_are_this_buyers_own(client):
    """A rule for one customer changes that customer's product page (and cart), nobody else's."""
    product = factories.make_product(sku="BOL-1", moq=10)
    special = factories.make_customer(code="C-SPECIAL")
    make_rule(code="special-min", kind="minimum_quantity", quantity=500, scope={"customers": ["C-SPECIAL"]})
    pages = {}
    for customer in (special, factories.make_customer()):
        buyer = factories.make_buyer(customer=customer)
        client.force_login(buyer)
        pages[customer.code] = client.get(
            reverse("catalog:product_detail", args=[product.sku])
        ).content.decode()
        fill_cart(buyer, (product, 10))
        cart = client.get(reverse("orders:cart")).content.decode()
        expected = "ご注文は500個以上で" if customer is special else "ご注文は10個以上で"
        assert expected in pages[customer.code] and expected in cart
