"""Browser journeys at 1280 px: a proxy order found by the customer's name and placed; a Japanese lead file."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests import factories
from tests.insights.builders import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, next_url="/admin/"):
    factories.make_staff(email="desk@example.jp", password="staff-pass-123")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", "desk@example.jp")
    page.fill("#id_password", "staff-pass-123")
    page.click("input[type=submit]")


def test_a_proxy_order_is_found_by_customer_name_and_placed(live_server, page):
    customer = factories.make_customer(code="C10001", name="株式会社サンプル商事")
    factories.make_customer(code="C10002", name="サンプル物産株式会社")
    depot = factories.make_ship_to(customer=customer, prefecture="兵庫県")
    tea = factories.make_product(sku="TEA-9", name="ほうじ茶", base_price="200")
    make_order(customer=customer, day="2026-10-01", lines=[(tea, 60, "200")], status="shipped")
    make_order(customer=customer, day="2026-11-01", lines=[(tea, 60, "200")], status="shipped")
    _login(page, live_server)
    page.locator(".staff-menu").get_by_role("link", name="代理注文").click()
    expect(page).to_have_url(re.compile(r"/orders/staff/proxy/$"))

    page.get_by_label("得意先 (名前・カナ・コード・電話番号)").press_sequentially("サンプル")
    suggestion = page.locator("#customer-suggestions button", has_text="株式会社サンプル商事")
    expect(suggestion).to_be_visible()
    expect(page.locator("#customer-suggestions button")).to_have_count(2)
    suggestion.click()
    expect(page.locator("#proxy-customer")).to_contain_text("C10001 株式会社サンプル商事")
    page.get_by_label("お届け先").select_option(str(depot.pk))
    page.locator("#usual-products").get_by_role("button", name="追加").click()  # ほうじ茶 60, the usual
    expect(page.locator("#id_lines")).to_have_value("TEA-9 60")
    expect(page.locator("#proxy-preview")).to_contain_text("¥12,000")  # live evaluation, no button pressed
    page.get_by_role("button", name="価格と取引条件を確認").click()
    page.get_by_role("button", name="注文を確定する").click()
    expect(page).to_have_url(re.compile(r"/admin/orders/order/\d+/change/$"))
    order = Order.objects.get(channel="phone")
    assert order.customer == customer and order.ship_to["prefecture"] == "兵庫県"
    expect(page.locator("#snapshot-lines")).to_contain_text("ほうじ茶")


def test_a_lead_file_with_japanese_headers_is_imported(live_server, page, tmp_path):
    from crm.models import LeadImport
    from customers.models import Customer
    from tests.crm.builders import make_master_customer

    make_master_customer(
        code="C001", name="株式会社山田商事", phone="03-1111-2222", domain="yamada-shoji.co.jp"
    )
    path = tmp_path / "展示会名刺.csv"
    path.write_bytes(
        "会社名,部署,氏名,役職,メール,電話,郵便番号,住所\r\n"
        "(株)山田商事,購買部,佐藤 健,部長,sato@yamada-shoji.co.jp,03-1111-2222,,\r\n"
        "株式会社まるまる工業,総務部,鈴木 一郎,,suzuki@marumaru.jp,06-5555-0000,530-0001,大阪府大阪市北区1-1\r\n".encode(
            "cp932"
        )
    )
    _login(page, live_server, next_url="/admin/crm/leadimport/upload/")
    page.locator("input[name=source]").fill("展示会2026")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="取り込む").click()
    expect(page.locator("#lead-rows")).to_be_visible()
    prospect = Customer.objects.get(trading_status="prospect")
    rows = page.locator("#lead-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("C001 株式会社山田商事")
    expect(rows.nth(0)).to_contain_text("会社名が一致")
    expect(rows.nth(1)).to_contain_text(f"{prospect.code} 株式会社まるまる工業")
    expect(rows.nth(1)).to_contain_text("見込み客を作成")
    assert LeadImport.objects.get().status == "done"
