"""Browser journeys at 1280 px for a Japanese office worker: the staff home, an order, a trading rule.

Screenshots go to docs/img/ when UPDATE_SCREENSHOTS=1 (else to a temporary folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pricing_rules.models import Rule
from tests import factories
from tests.backoffice.builders import known_day
from tests.backoffice.test_order_page import placed_order
from tests.orders.builders import make_rule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def shots(tmp_path):
    return DOCS_IMG if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


def _login(page, live_server):
    factories.make_staff(email="office@example.jp", password="staff-pass-123")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "office@example.jp")
    page.fill("#id_password", "staff-pass-123")
    page.click("input[type=submit]")


def test_the_staff_home_shows_todays_numbers_and_opens_their_lists(live_server, page, shots):
    known_day()
    _login(page, live_server)
    expect(page.locator("h1")).to_have_text("ホーム")
    expect(page.locator("#today-total")).to_have_text("3件 · ¥10,500")
    expect(page.locator("#channel-web")).to_contain_text("¥3,500")
    expect(page.locator("#channel-phone")).to_contain_text("¥7,000")
    for key, count in [("awaiting_approval", 1), ("late_orders", 1), ("failed_pushes", 2), ("leads", 3),
                       ("credit", 1), ("reminders", 1)]:  # fmt: skip
        expect(page.locator(f"#figure-{key} .dashboard-count")).to_have_text(str(count))
    expect(page.locator(".staff-menu")).to_contain_text("代理注文")
    expect(page.locator(".staff-menu")).to_contain_text("キーパーソン把握状況")
    expect(page.locator(".staff-menu")).to_contain_text("基幹システム突合")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(shots / "backoffice-dashboard.png"), full_page=True)

    page.locator("#figure-failed_pushes").click()
    expect(page).to_have_url(re.compile(r"/admin/orders/orderpush/\?status__exact=failed$"))
    expect(page.locator("#result_list tbody tr")).to_have_count(2)


def test_an_order_page_reads_in_japanese_without_raw_json(live_server, page, shots):
    order = placed_order()
    _login(page, live_server)
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    expect(page.locator("#snapshot-lines")).to_contain_text("六角ボルト M8")
    expect(page.locator("#snapshot-fees")).to_contain_text("小口手数料")
    expect(page.locator("#snapshot-rules")).to_contain_text("¥10,000未満で¥500")
    expect(page.locator("#order-amounts")).to_contain_text(f"¥{order.total:,}")
    details = page.locator("details.raw-json")
    expect(details.locator("pre")).not_to_be_visible()  # the JSON stays folded
    visible = page.locator("#content").inner_text()
    for english in ["Idempotency key", "Cart fingerprint", "Placed by", "CUSTOMER", "object (", "small_order_fee",
                    '{"', "Ship-to", "Snapshot"]:  # fmt: skip
        assert english not in visible, english
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(shots / "backoffice-order.png"), full_page=True)
    details.locator("summary").click()
    expect(details.locator("pre")).to_contain_text("idempotency_key")


def test_a_rule_is_edited_with_widgets_and_an_unknown_prefecture_is_refused(live_server, page, shots):
    product = factories.make_product(sku="BOLT-M8", name="六角ボルト M8")
    rule = make_rule(
        code="ship-tokyo", kind="shipping_fee", fee="800", tax_rate="10", scope={"prefectures": ["東京"]}
    )
    _login(page, live_server)
    page.goto(f"{live_server.url}/admin/pricing_rules/rule/")
    expect(page.locator("#result_list")).to_contain_text("送料¥800")
    page.get_by_role("link", name="ship-tokyo").click()
    # Only the shipping fee's fields are shown.
    expect(page.locator(".field-free_from")).to_be_visible()
    expect(page.locator(".field-quantity")).to_be_hidden()
    expect(page.locator(".field-below")).to_be_hidden()
    page.get_by_label("東京 (不明)").check()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("都道府県が不明です: 東京")
    assert Rule.objects.get(pk=rule.pk).scope == {"prefectures": ["東京"]}

    page.get_by_label("東京 (不明)").uncheck()
    page.get_by_label("東京都").check()
    page.locator(".field-scope_skus .select2-selection").click()
    page.locator(".select2-search__field").last.fill("ボルト")
    page.locator(".select2-results__option", has_text="BOLT-M8").click()
    page.locator("#id_fee").fill("900")
    page.screenshot(path=str(shots / "backoffice-rule-editor.png"), full_page=True)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    saved = Rule.objects.get(pk=rule.pk)
    assert saved.scope == {"prefectures": ["東京都"], "skus": [product.sku]}
    assert saved.fee == 900
    expect(page.locator("#result_list")).to_contain_text("送料¥900")
