"""Category list rows rendered by catalog.display and read by the hand-written category page statements.

The rows are format strings now, not templates, so escaping, disabled states and the no-JS form post
are checked here; the category page's two statements must return what the ORM query returns.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import selectors
from catalog.models import Product, Stock
from orders.models import CartLine
from tests import factories

pytestmark = pytest.mark.django_db


def _statements(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_category_page_statements_do_not_grow_with_rows(client):
    customer = factories.make_customer(price_group=factories.make_price_group(rate="0.9"))
    ten, thirty = factories.make_category(code="TEN"), factories.make_category(code="THIRTY")
    for category, n in ((ten, 10), (thirty, 30)):
        for _ in range(n):
            p = factories.make_product(category=category)
            factories.make_price(product=p, customer=customer, unit_price="50")
    client.force_login(factories.make_buyer(customer=customer))
    client.get(reverse("catalog:category", args=["TEN"]))  # per-process caches warm, as in production
    small = _statements(client, reverse("catalog:category", args=["TEN"]))
    large = _statements(client, reverse("catalog:category", args=["THIRTY"]))
    assert small == large <= 10
    html = client.get(reverse("catalog:category", args=["THIRTY"])).content.decode()
    assert html.count('class="card product-row"') == 30


def _orm_page(*, category, sort, in_stock, page, size):
    queryset = selectors.list_products(customer=None, category=category, sort=sort, in_stock=in_stock)
    products, has_next = selectors.page_of(queryset, page=page, size=size)
    count = len(products) if page == 1 and not has_next else selectors.count_capped(queryset)
    return [p.sku for p in products], has_next, count


@pytest.mark.parametrize("sort", ["", *selectors.SORTS])
@pytest.mark.parametrize("in_stock", [False, True])
def test_category_page_statements_return_what_the_orm_query_returns(sort, in_stock):
    top = factories.make_category(code="TOP")
    mid = factories.make_category(code="MID", parent=top)
    leaf = factories.make_category(code="LEAF", parent=mid)
    other = factories.make_category(code="OTHER")
    now = timezone.now()
    for i, category in enumerate([top, mid, leaf, other] * 4):
        p = factories.make_product(
            category=category,
            base_price=str(100 + (i * 37) % 5 * 10),  # ties, so the SKU tie-break matters
            name_kana=f"カナ{(i * 7) % 4}",
            on_hand=(0 if i % 3 == 0 else 5),
            active=i != 5,
        )
        Product.objects.filter(pk=p.pk).update(created_at=now - timedelta(days=i % 4))
        if i == 7:
            Stock.objects.filter(product=p).delete()  # never stocked by the ERP
    for category in (top, mid, leaf, other):
        for page in (1, 2, 3):
            fast = selectors.product_page(
                customer=None, search="", category=category, sort=sort, in_stock=in_stock, page=page, size=3
            )
            assert ([p.sku for p in fast.products], fast.has_next, fast.count) == _orm_page(
                category=category, sort=sort, in_stock=in_stock, page=page, size=3
            )


def test_row_escapes_names_and_explains_a_disabled_stepper(client):
    cat = factories.make_category(code="ROWS")
    factories.make_product(sku="ESC-1", name='A&B <script>"x"</script>', category=cat)
    factories.make_product(sku="LOW-1", category=cat, moq=10, on_hand=3)
    factories.make_product(
        sku="MUL-1", category=cat, order_multiple=6, max_quantity=60, case_quantity=12, unit="箱"
    )
    client.force_login(factories.make_buyer())
    html = client.get(reverse("catalog:category", args=["ROWS"])).content.decode()
    assert "A&amp;B &lt;script&gt;&quot;x&quot;&lt;/script&gt;" in html and "<script>" not in html
    assert 'href="/products/ESC-1/"' in html
    low = html[html.index('id="product-LOW-1"') : html.index('id="product-MUL-1"')]
    assert low.count(" disabled") == 4  # both step buttons, the field and the add button
    assert 'aria-describedby="qty-LOW-1-help"' in low and 'class="disabled-reason"' in low
    assert "在庫は3個で" in low  # why the button is off, next to it
    # The row texts are msgids in catalog/display.py now: make messages must keep their translations.
    for text in ("品番", "在庫あり", "数量（個）", "1減らす", "1増やす", "カートに入れる"):
        assert text in html, text
    mul = html[html.index('id="product-MUL-1"') :]
    assert (
        'data-step="6" data-max="60"' in mul
        and 'max="60"' in mul
        and " disabled" not in mul.split("</form>")[0]
    )
    assert "1ケース 12箱入り" in mul  # case quantity


def test_list_row_form_posts_without_javascript(db):
    """The row's own CSRF field works for the plain form post (htmx sends the header instead)."""
    cat = factories.make_category(code="POST")
    factories.make_product(sku="POST-1", category=cat, base_price="100")
    buyer = factories.make_buyer()
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    html = client.get(reverse("catalog:category", args=["POST"])).content.decode()
    form = html[html.index('id="product-POST-1"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    response = client.post(
        reverse("orders:cart_add"), {"csrfmiddlewaretoken": token.group(1), "sku": "POST-1", "quantity": "2"}
    )
    assert response.status_code == 302
    assert CartLine.objects.get(cart__buyer=buyer).quantity == 2


def test_price_stock_and_limits_changes_show_on_the_next_page(client):
    """Nothing about a row is kept between requests: a new price, stock figure or limit shows at once."""
    group = factories.make_price_group()
    cat = factories.make_category(code="LIVE")
    p = factories.make_product(sku="LIVE-1", category=cat, base_price="500")
    client.force_login(factories.make_buyer(customer=factories.make_customer(price_group=group)))
    url = reverse("catalog:category", args=["LIVE"])
    assert "¥500" in client.get(url).content.decode()
    factories.make_price(product=p, price_group=group, unit_price="420")
    Stock.objects.filter(product=p).update(on_hand=0)
    Product.objects.filter(pk=p.pk).update(moq=5)
    html = client.get(url).content.decode()
    assert "¥420" in html and 'class="badge out-of-stock"' in html and 'data-min="5"' in html
    assert Decimal("420") < p.base_price


def test_breadcrumbs_link_the_parents_from_the_cached_tree(client, django_assert_max_num_queries):
    top = factories.make_category(code="BC-TOP", name="工具")
    mid = factories.make_category(code="BC-MID", name="電動工具", parent=top)
    leaf = factories.make_category(code="BC-LEAF", name="ドリル", parent=mid)
    for i in range(20):  # other branches the breadcrumbs must not pick up
        factories.make_category(code=f"BC-X{i}", parent=top if i % 2 else None)
    factories.make_product(sku="BC-1", category=leaf)
    client.force_login(factories.make_buyer())
    client.get(reverse("catalog:category", args=["BC-LEAF"]))  # per-process caches warm
    with django_assert_max_num_queries(10):
        page = client.get(reverse("catalog:category", args=["BC-LEAF"])).content.decode()
    start = page.index('class="breadcrumb"')
    crumbs = page[start : page.index("</nav>", start)]
    assert re.findall(r'href="/categories/([^/]+)/"', crumbs) == ["BC-TOP", "BC-MID"]
    assert '<span aria-current="page">ドリル</span>' in crumbs
    with django_assert_max_num_queries(7):
        product = client.get(reverse("catalog:product_detail", args=["BC-1"])).content.decode()
    start = product.index('class="breadcrumb"')
    crumbs = product[start : product.index("</nav>", start)]
    assert re.findall(r'href="/categories/([^/]+)/"', crumbs) == ["BC-MID", "BC-LEAF"]
    assert "電動工具" in crumbs and "ドリル" in crumbs
