"""Daily reconciliation: unaccepted orders, failed pushes, stale stock — service, job and admin page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Stock
from integration.models import ReconciliationRun
from integration.selectors import build_report
from integration.tasks import reconcile_erp_task
from orders.models import OrderPush
from tests import factories
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def situation(settings):
    settings.ERP_ACCEPT_WITHIN_HOURS = 4
    settings.STOCK_MAX_AGE_HOURS = 24
    now = timezone.now()
    fresh_stock = factories.make_product(sku="FRESH-1")
    Stock.objects.filter(product=fresh_stock).update(as_of=now - timedelta(hours=1))
    old_stock = factories.make_product(sku="OLD-1")
    Stock.objects.filter(product=old_stock).update(as_of=now - timedelta(hours=30))
    # Old figures without stock activity are harmless and not listed (issue 17).
    quiet = factories.make_product(sku="QUIET-1")
    Stock.objects.filter(product=quiet).update(as_of=now - timedelta(hours=30))
    make_confirmed_order(items=[(old_stock, 1)], placed_at=now - timedelta(hours=2), push=False)
    items = [(fresh_stock, 1)]
    late = make_confirmed_order(items=items, placed_at=now - timedelta(hours=5))
    recent = make_confirmed_order(items=items, placed_at=now - timedelta(hours=1))
    failed = make_confirmed_order(items=items, placed_at=now - timedelta(hours=1))
    OrderPush.objects.filter(order=failed).update(
        status="failed", attempts=8, last_status_code=400, last_error="HTTP 400: unknown customer"
    )
    return {"now": now, "late": late, "recent": recent, "failed": failed}


def test_report_lists_what_needs_a_person(situation, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        report = build_report(now=situation["now"])
    assert [row["number"] for row in report.unaccepted] == [situation["late"].number]
    assert report.unaccepted[0]["push_status"] == "pending"
    assert [row["number"] for row in report.failed] == [situation["failed"].number]
    assert report.failed[0]["last_status_code"] == 400
    # OLD-1 is 30 h old; the products made by the order builder never got an ERP figure at all
    assert "OLD-1" in [row["sku"] for row in report.stale_stock]  # ordered since its 30 h old figure
    assert "FRESH-1" not in [row["sku"] for row in report.stale_stock]
    assert "QUIET-1" not in [row["sku"] for row in report.stale_stock]  # old figure, nothing ordered
    assert not report.is_clean


def test_daily_job_records_a_run(situation):
    reconcile_erp_task.run()
    run = ReconciliationRun.objects.get()
    assert (run.unaccepted_orders, run.failed_pushes) == (1, 1)
    assert run.stale_stock >= 1
    assert run.details["unaccepted"][0]["number"] == situation["late"].number


def test_admin_page_shows_the_report_to_staff_only(situation, client, staff_client):
    index = staff_client.get("/admin/")
    assert "/admin/integration/reconciliationrun/" in index.content.decode()
    page = staff_client.get("/admin/integration/reconciliationrun/")
    html = page.content.decode()
    assert page.status_code == 200
    assert situation["late"].number in html and situation["failed"].number in html and "OLD-1" in html
    assert situation["recent"].number not in html
    run = staff_client.post("/admin/integration/reconciliationrun/", {"run": "1"})
    assert run.status_code == 302 and ReconciliationRun.objects.count() == 1

    buyer = factories.make_buyer()
    client.force_login(buyer)
    assert client.get("/admin/integration/reconciliationrun/").status_code == 302  # to the admin login
