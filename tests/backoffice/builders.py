"""A known back-office day: orders in each channel today, queues waiting for staff."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from crm.models import LeadImport, LeadRow
from engagement.models import ReminderDigest
from orders.models import Order, OrderPush
from tests import factories
from tests.insights.builders import make_order


def known_day() -> dict[str, object]:
    """Today: web 2 orders (¥1,000 + ¥2,500), phone 1 (¥7,000), a cancelled FAX order that does not count.

    Queues: 1 awaiting approval, 1 confirmed order older than the ERP acceptance window, 2 failed pushes,
    3 leads to review (plus one already decided), 1 customer at 90 % of the credit limit (one at 10 % is
    not listed), 1 reminder e-mail sent today (one yesterday).
    """
    now = timezone.localtime()
    today = now.date().isoformat()
    product = factories.make_product(base_price="1")
    customer = factories.make_customer(name="株式会社ダッシュ商事", credit_limit="10000")
    other = factories.make_customer(name="株式会社余裕商事", credit_limit="100000")
    make_order(customer=other, day=today, lines=[(product, 1000, "1")], channel="web", status="shipped")
    make_order(customer=other, day=today, lines=[(product, 2500, "1")], channel="web", status="shipped")
    make_order(customer=customer, day=today, lines=[(product, 7000, "1")], channel="phone")
    make_order(customer=other, day=today, lines=[(product, 500, "1")], channel="fax", status="cancelled")
    make_order(
        customer=customer, day=today, lines=[(product, 2000, "1")], channel="web", status="awaiting_approval"
    )
    Order.objects.filter(status="awaiting_approval").update(placed_at=now - timedelta(days=3))
    late = make_order(customer=other, day=today, lines=[(product, 100, "1")], channel="api")
    Order.objects.filter(pk=late.pk).update(placed_at=now - timedelta(days=2))
    for order in Order.objects.filter(status__in=["shipped", "confirmed"])[:2]:
        OrderPush.objects.create(order=order, status=OrderPush.Status.FAILED, attempts=8)
    batch = LeadImport.objects.create(source="展示会", file_name="leads.csv", created_at=timezone.now())
    for row in range(1, 5):
        LeadRow.objects.create(
            lead_import=batch,
            row=row,
            company_name=f"見込{row}",
            status=LeadRow.Status.REVIEW,
            resolution=LeadRow.Resolution.PENDING if row < 4 else LeadRow.Resolution.DISMISSED,
            score=Decimal("0.7"),
        )
    buyer = factories.make_buyer(customer=customer)
    ReminderDigest.objects.create(customer=customer, on_date=now.date(), recipient=buyer, created_at=now)
    ReminderDigest.objects.create(
        customer=other, on_date=now.date() - timedelta(days=1), recipient=buyer, created_at=now
    )
    return {"customer": customer, "other": other}
