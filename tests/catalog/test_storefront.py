"""Storefront catalog pages: login-only, buyer's own price, badges, search, ordering notice, company page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Stock
from catalog.selectors import availability
from customers.models import ShipTo
from tests import factories

pytestmark = pytest.mark.django_db


def login(client, customer=None, **kwargs):
    buyer = factories.make_buyer(customer=customer, **kwargs)
    client.force_login(buyer)
    return buyer


@pytest.mark.parametrize("name", ["catalog:home", "catalog:product_list", "catalog:company"])
def test_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_product_page_needs_a_login(client):
    p = factories.make_product()
    response = client.get(reverse("catalog:product_detail", args=[p.sku]))
    assert response.status_code == 302


def test_home_shows_the_category_tree(client, django_assert_max_num_queries):
    top = factories.make_category(code="TOP", name="文具")
    mid = factories.make_category(code="MID", name="筆記具", parent=top)
    factories.make_category(code="LEAF", name="ボールペン類", parent=mid)
    login(client)
    client.get(
        reverse("catalog:home")
    )  # the per-process caches (tree, visibility subjects) are warm in service
    with django_assert_max_num_queries(6):
        html = client.get(reverse("catalog:home")).content.decode()
    for code, name in [("TOP", "文具"), ("MID", "筆記具"), ("LEAF", "ボールペン類")]:
        assert name in html and reverse("catalog:category", args=[code]) in html


def test_product_list_shows_my_price_badge_and_order_units(client):
    customer = factories.make_customer()
    p = factories.make_product(
        name="六角ボルト M8", base_price="12.50", moq=100, order_multiple=50, on_hand=5000
    )
    factories.make_price(product=p, customer=customer, unit_price="9.80")
    login(client, customer)
    html = client.get(reverse("catalog:product_list")).content.decode()
    assert "六角ボルト M8" in html
    # The buyer's own price first, labelled, with the list price beside it struck through.
    assert re.search(r"あなたの価格</span> <span class=\"price\"[^>]*>¥9.80<", html)
    assert "定価 <s>¥12.50</s>" in html
    assert "在庫あり" in html
    assert "ご注文は100個以上、50個単位で" in html  # the engine's limits, one sentence
    assert "1件" in html  # result count
    assert reverse("catalog:product_detail", args=[p.sku]) in html


def test_inactive_products_are_hidden_everywhere(client):
    p = factories.make_product(name="廃番の商品", active=False)
    login(client)
    assert "廃番の商品" not in client.get(reverse("catalog:product_list")).content.decode()
    assert client.get(reverse("catalog:product_detail", args=[p.sku])).status_code == 404
    assert client.get(reverse("catalog:product_list") + "?q=廃番").content.decode().count("廃番の商品") == 0


def test_unknown_category_and_product_are_404(client):
    login(client)
    assert client.get(reverse("catalog:category", args=["NOPE"])).status_code == 404
    assert client.get(reverse("catalog:product_detail", args=["NOPE"])).status_code == 404


def test_category_page_lists_its_subtree_only(client):
    top = factories.make_category(code="TOP")
    leaf = factories.make_category(code="LEAF", parent=top)
    factories.make_product(name="子カテゴリの商品", category=leaf)
    factories.make_product(name="別カテゴリの商品", category=factories.make_category())
    login(client)
    html = client.get(reverse("catalog:category", args=["TOP"])).content.decode()
    assert "子カテゴリの商品" in html and "別カテゴリの商品" not in html


@pytest.mark.parametrize("query", ["ぼーるぺん", "ボールペン", "ﾎﾞｰﾙﾍﾟﾝ", "PEN-77", "pen-77"])
def test_search_finds_by_name_kana_and_sku(client, query):
    factories.make_product(sku="PEN-77", name="ボールペン 青")
    factories.make_product(sku="TAP-01", name="布テープ")
    login(client)
    html = client.get(reverse("catalog:product_list"), {"q": query}).content.decode()
    assert "ボールペン 青" in html and "布テープ" not in html


def test_search_by_jan_and_exact_sku_ranks_first(client):
    jan = factories.valid_jan(31337)
    factories.make_product(sku="AB-1", name="AB-10 互換品")  # mentions the SKU in its name
    factories.make_product(sku="AB-10", name="本体", jan_code=jan)
    login(client)
    html = client.get(reverse("catalog:product_list"), {"q": "AB-10"}).content.decode()
    assert html.index("本体") < html.index("AB-10 互換品")
    html = client.get(reverse("catalog:product_list"), {"q": jan}).content.decode()
    assert "本体" in html and "互換品" not in html


def test_product_page_shows_price_tiers_units_and_an_add_to_cart_form(client, django_assert_max_num_queries):
    customer = factories.make_customer(price_group=factories.make_price_group(rate="0.9"))
    p = factories.make_product(
        sku="DRK-1",
        name="緑茶 500ml",
        base_price="100",
        case_quantity=24,
        moq=24,
        order_multiple=24,
        max_quantity=960,
        unit="本",
        jan_code=factories.valid_jan(5),
    )
    factories.make_price(product=p, min_quantity=240, unit_price="80")
    login(client, customer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:product_detail", args=[p.sku]))
    html = response.content.decode()
    assert "緑茶 500ml" in html and "¥90" in html and "¥80" in html
    assert p.jan_code in html and "24本" in html
    form = re.search(r"<form[^>]* action=\"([^\"]+)\" class=\"add-to-cart\">(.*?)</form>", html, re.S)
    assert form and form.group(1) == reverse("orders:cart_add")
    assert 'name="sku" value="DRK-1"' in form.group(2)
    assert re.search(r'name="quantity"[^>]*value="24" min="24" step="24" max="960"', form.group(2))
    assert '<label for="quantity">' in form.group(2)


def test_product_page_prices_only_what_applies_to_me_today_in_seven_statements(
    client, django_assert_max_num_queries
):
    """The hand-written product and price statements keep the price function's rules.

    Seven statements: session, user, cache versions, product with stock, prices, cart badge, banner.
    """
    group = factories.make_price_group(rate=None)
    customer = factories.make_customer(price_group=group)
    other = factories.make_customer(price_group=factories.make_price_group(rate=None))
    p = factories.make_product(sku="TEA-7", base_price="1000")
    today = timezone.localdate()
    factories.make_price(product=p, customer=customer, min_quantity=10, unit_price="700")
    factories.make_price(product=p, price_group=group, min_quantity=5, unit_price="800")
    factories.make_price(product=p, customer=other, min_quantity=2, unit_price="100")
    factories.make_price(product=p, price_group=other.price_group, min_quantity=3, unit_price="200")
    factories.make_price(product=p, min_quantity=20, unit_price="300", valid_to=today - timedelta(days=1))
    factories.make_price(product=p, min_quantity=30, unit_price="400", valid_from=today + timedelta(days=1))
    login(client, customer)
    with django_assert_max_num_queries(7):
        html = client.get(reverse("catalog:product_detail", args=[p.sku])).content.decode()
    assert "¥1,000" in html and "¥800" in html and "¥700" in html
    for foreign in ("¥100", "¥200", "¥300", "¥400"):
        assert foreign not in html


def test_product_page_of_a_product_the_erp_never_stocked_says_out_of_stock(client):
    p = factories.make_product(sku="NEW-1", name="新商品")
    Stock.objects.filter(product=p).delete()
    login(client)
    html = client.get(reverse("catalog:product_detail", args=[p.sku])).content.decode()
    assert "新商品" in html and "在庫なし" in html


def test_minimum_is_rounded_up_to_the_order_multiple(client):
    p = factories.make_product(moq=10, order_multiple=12)
    login(client)
    html = client.get(reverse("catalog:product_detail", args=[p.sku])).content.decode()
    assert 'min="12" step="12"' in html


def test_customer_without_web_ordering_sees_prices_but_no_form_and_whom_to_call(client, settings):
    settings.SHOP_CONTACT_PHONE = "0120-123-456"
    rep = factories.make_staff(superuser=False)
    rep.full_name = "佐藤 営業"
    rep.save()
    customer = factories.make_customer(ec_enabled=False)
    customer.owner = rep
    customer.save()
    p = factories.make_product(base_price="300")
    login(client, customer)
    html = client.get(reverse("catalog:product_detail", args=[p.sku])).content.decode()
    assert "¥300" in html
    assert reverse("orders:cart_add") not in html
    assert "0120-123-456" in html and "佐藤 営業" in html
    assert "0120-123-456" in client.get(reverse("catalog:product_list")).content.decode()


@pytest.mark.parametrize("n", [5, 30])
def test_list_page_query_count_is_constant(client, django_assert_max_num_queries, n):
    customer = factories.make_customer(price_group=factories.make_price_group(rate="0.95"))
    cat = factories.make_category(code="QC")
    for i in range(n):
        p = factories.make_product(name=f"ボールペン {i}", category=cat)
        factories.make_price(product=p, customer=customer, unit_price="50")
    login(client, customer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:category", args=["QC"]), {"q": "ぼーるぺん"})
    assert response.content.decode().count('class="card product-row"') == n
    with django_assert_max_num_queries(10):
        client.get(reverse("catalog:product_list"))


@pytest.mark.parametrize(
    ("available", "moq", "multiple", "expected"),
    [
        (0, None, None, "out_of_stock"),
        (1, None, None, "low_stock"),
        (9, None, None, "low_stock"),
        (10, None, None, "in_stock"),
        (23, None, 24, "out_of_stock"),
        (47, None, 24, "low_stock"),
        (48, None, 24, "in_stock"),
        (99, 100, None, "out_of_stock"),
        (150, 100, None, "low_stock"),
    ],
)
def test_availability_badge_rule(available, moq, multiple, expected):
    assert availability(available=available, moq=moq, order_multiple=multiple) == expected


def test_badges_render_in_japanese(client):
    factories.make_product(name="たくさん", on_hand=500)
    low = factories.make_product(name="すこし", on_hand=3)
    factories.make_product(name="なし", on_hand=0)
    Stock.objects.filter(product=low).update(held=1)
    login(client)
    html = client.get(reverse("catalog:product_list")).content.decode()
    assert "在庫あり" in html and "残りわずか" in html and "在庫なし" in html


def test_english_via_the_language_switch(client):
    factories.make_product(on_hand=500)
    login(client)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("catalog:product_list")).content.decode()
    assert "In stock" in html and '<html lang="en">' in html


# ---------------------------------------------------------------- my company
def test_company_page_lists_only_my_company(client):
    mine = factories.make_customer(name="株式会社自社")
    other = factories.make_customer(name="株式会社他社")
    factories.make_ship_to(customer=mine)
    factories.make_ship_to(customer=other)
    colleague = factories.make_buyer(customer=mine, role="approver")
    stranger = factories.make_buyer(customer=other)
    login(client, mine)
    html = client.get(reverse("catalog:company")).content.decode()
    assert "株式会社自社" in html and colleague.email in html
    assert "株式会社他社" not in html and stranger.email not in html
    assert "Add a delivery address" not in html and 'action="/company/ship-tos/"' not in html


def test_company_admin_adds_a_ship_to_buyer_may_not(client):
    customer = factories.make_customer()
    login(client, customer, role="admin")
    data = {
        "name": "第二倉庫",
        "postal_code": "5300001",
        "prefecture": "大阪府",
        "address": "大阪市北区1-1",
        "phone": "06-0000-0000",
    }
    response = client.post(reverse("catalog:ship_to_add"), data)
    assert response.status_code == 302
    ship_to = ShipTo.objects.get(customer=customer)
    assert (ship_to.name, ship_to.postal_code, ship_to.is_default) == ("第二倉庫", "530-0001", False)
    bad = client.post(reverse("catalog:ship_to_add"), {**data, "postal_code": "12"})
    assert bad.status_code == 400 and ShipTo.objects.filter(customer=customer).count() == 1
    client.force_login(factories.make_buyer(customer=customer, role="buyer"))
    client.post(reverse("catalog:ship_to_add"), data)
    assert ShipTo.objects.filter(customer=customer).count() == 1


def test_staff_without_a_company_gets_404_on_the_company_page(client):
    client.force_login(factories.make_staff())
    assert client.get(reverse("catalog:company")).status_code == 404


def test_list_pages_with_next_and_previous_links(client, settings):
    settings.CATALOG_PAGE_SIZE = 2
    for i in range(3):
        factories.make_product(sku=f"PG-{i}", name=f"ページ商品{i}")
    login(client)
    first = client.get(reverse("catalog:product_list")).content.decode()
    assert "ページ商品0" in first and "ページ商品2" not in first
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    second = client.get(reverse("catalog:product_list"), {"page": "2"}).content.decode()
    assert "ページ商品2" in second and 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second
    assert client.get(reverse("catalog:product_list"), {"page": "junk"}).status_code == 200
