"""The reconciliation page explains each list and offers the fix: retry failed pushes, a stock resend list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Stock
from customers import roles
from customers.models import User
from orders.models import OrderPush
from tests import factories
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db
URL = "/admin/integration/reconciliationrun/"


@pytest.fixture
def situation():
    now = timezone.now()
    ordered = factories.make_product(sku="=HOT-1")  # a SKU that looks like a formula, for the CSV
    Stock.objects.filter(product=ordered).update(as_of=now - timedelta(days=3))
    quiet = factories.make_product(sku="QUIET-1")
    Stock.objects.filter(product=quiet).update(as_of=now - timedelta(days=3))
    order = make_confirmed_order(items=[(ordered, 2)], placed_at=now - timedelta(hours=1))
    OrderPush.objects.filter(order=order).update(status="failed", attempts=8, last_error="HTTP 400")
    return order


def test_the_page_explains_each_list_and_offers_the_fixes(admin_client, situation):
    html = admin_client.get(URL).content.decode()
    for block in ["explain-unaccepted", "explain-failed", "explain-stale"]:
        assert f'id="{block}"' in html
    assert "QUIET-1" not in html and "=HOT-1" in html
    assert 'name="retry_failed"' in html
    csv_text = b"".join(admin_client.get(URL + "?export=stale-stock").streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "sku,as_of,on_hand,held"
    assert csv_text.splitlines()[1].startswith("'=HOT-1,")  # formula neutralised
    assert "QUIET-1" not in csv_text

    response = admin_client.post(URL, {"retry_failed": "1"})
    assert response.status_code == 302
    assert OrderPush.objects.get(order=situation).status == "pending"


def test_only_staff_who_may_retry_pushes_see_the_button(client, situation):
    call_command("sync_staff_roles")
    administrator = factories.make_staff(superuser=False)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    client.force_login(User.objects.get(pk=administrator.pk))
    assert 'name="retry_failed"' in client.get(URL).content.decode()
    marketing = factories.make_staff(superuser=False)
    marketing.groups.add(Group.objects.get(name=roles.MARKETING))
    client.force_login(User.objects.get(pk=marketing.pk))
    assert client.post(URL, {"retry_failed": "1"}).status_code == 403
    assert OrderPush.objects.get(order=situation).status == "failed"
