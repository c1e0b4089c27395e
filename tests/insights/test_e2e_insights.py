"""Browser journey at 1280 px: staff open the insights from the admin index and read every page.

Screenshots go to a temporary directory, so a test run leaves the tree clean; with
``UPDATE_SCREENSHOTS=1`` they replace the README's images in docs/img/.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from crm.models import Contact, Department
from insights import services
from insights.models import WebEvent
from tests import factories
from tests.insights.builders import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
CHANNELS = ["web", "web", "api", "phone", "fax", "web"]


def _world():
    """40 customers, a long tail and two years of orders in every channel."""
    products = [factories.make_product(base_price=str(price)) for price in (120, 480, 1500, 3200)]
    today = timezone.localdate()
    customers = []
    for i in range(40):
        customer = factories.make_customer(
            name=f"株式会社サンプル商事{i + 1:02d}", prefecture=["東京都", "大阪府", "北海道"][i % 3]
        )
        customers.append(customer)
        orders = 24 if i < 4 else (10 if i < 12 else 3)
        for k in range(orders):
            day = today - timedelta(days=(k * 29 + i * 7) % 700)
            qty = 2 + (i * 7 + k * 3) % (40 if i < 4 else 12)
            product = products[(i + k) % len(products)]
            make_order(
                customer=customer,
                day=day.isoformat(),
                lines=[(product, qty, str(product.base_price))],
                channel=CHANNELS[(i + k) % len(CHANNELS)],
                fees="500" if qty * product.base_price < 10000 else "0",
            )
    top = customers[0]
    department = Department.objects.create(customer=top, name="購買部")
    Contact.objects.create(
        customer=top, department=department, name="山田 太郎", role="decision_maker", is_key_person=True
    )
    Contact.objects.create(customer=top, department=department, name="佐藤 花子", role="operational")
    Contact.objects.create(customer=top, name="鈴木 一郎", role="approver")
    buyer = factories.make_buyer(customer=top)
    now = timezone.now()
    WebEvent.objects.bulk_create(
        [
            WebEvent(customer_id=top.pk, user_id=buyer.pk, kind=kind, detail=detail, at=now - timedelta(hours=h))
            for h, (kind, detail) in enumerate(
                [("login", ""), ("search", "ボルト M8"), ("view", products[1].sku), ("cart", ""), ("search", "ナット"),
                 ("view", products[2].sku), ("login", ""), ("cart", "")] * 4
            )
        ]
    )  # fmt: skip
    return top


@pytest.fixture
def img_dir(tmp_path: Path) -> Path:
    """Where screenshots go: docs/img only when asked to refresh the README's images."""
    return DOCS_IMG if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


def test_staff_read_the_insights_at_1280px(live_server, page, img_dir):
    top = _world()
    factories.make_staff(email="analyst@example.jp", password="staff-pass-123")
    draft = {"rules": [
        {"code": "small-order-fee", "kind": "small_order_fee", "below": "10000", "fee": "800", "tax_rate": "10"},
        {"code": "min-amount", "kind": "minimum_order_amount", "amount": "2000"},
    ]}  # fmt: skip
    today = timezone.localdate()
    run = services.start_replay(
        name="小口手数料 ¥800・最低¥2,000", text=json.dumps(draft), date_from=today - timedelta(days=364),
        date_to=today, actor=None, now=timezone.now(),
    )  # fmt: skip
    services.execute_replay_run(run_id=run.pk, now=timezone.now())

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "analyst@example.jp")
    page.fill("#id_password", "staff-pass-123")
    page.click("input[type=submit]")
    page.locator('a[href$="/admin/insights/insights/"]').first.click()
    assert page.locator("h1").inner_text() == "パレート・ABC分析"
    assert page.locator("#kpi-total").inner_text().startswith("¥")
    assert page.locator("svg.insights-chart").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(img_dir / "insights-pareto.png"), full_page=True)

    page.get_by_role("link", name="小口注文の採算").click()
    page.wait_for_selector("#bands")
    page.screenshot(path=str(img_dir / "insights-economics.png"), full_page=True)

    page.get_by_role("link", name="継続率（1:5の法則）").click()
    page.wait_for_selector("#cohorts")
    page.screenshot(path=str(img_dir / "insights-retention.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/insights/insights/whatif/{run.pk}/")
    assert page.locator("#run-status").inner_text() == "完了" or page.locator("#kpi-blocked").is_visible()
    page.screenshot(path=str(img_dir / "insights-whatif.png"), full_page=True)

    page.get_by_placeholder("得意先コード").fill(top.code)
    page.get_by_role("button", name="得意先ページ").click()
    page.wait_for_selector("#departments")
    assert "購買部" in page.locator("#departments").inner_text()
    assert "ボルト M8" in page.locator("#searches").inner_text()
    page.screenshot(path=str(img_dir / "insights-customer.png"), full_page=True)
    for name in ("pareto", "economics", "retention", "whatif", "customer"):
        assert (img_dir / f"insights-{name}.png").stat().st_size > 10_000, name
