"""The staff home: today's numbers on known data, each linking to the list of exactly those rows."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from backoffice import selectors
from customers import roles
from customers.models import User
from tests import factories
from tests.backoffice.builders import known_day

pytestmark = pytest.mark.django_db

ALL = frozenset({"orders", "pushes", "leads", "credit", "reminders"})


def test_the_dashboard_counts_todays_orders_by_channel_and_every_queue():
    world = known_day()
    board = selectors.staff_dashboard(now=timezone.now(), include=ALL)
    by_channel = {c.channel: (c.count, c.amount) for c in board.today_channels}
    # The approval order and the late order were placed on earlier days; the cancelled one never counts.
    assert by_channel == {
        "web": (2, Decimal(3500)),
        "api": (0, Decimal(0)),
        "phone": (1, Decimal(7000)),
        "fax": (0, Decimal(0)),
    }
    assert (board.today_count, board.today_amount) == (3, Decimal(10500))
    counts = {key: figure.count for key, figure in board.figures.items()}
    assert counts == {
        "awaiting_approval": 1,
        "late_orders": 1,
        "failed_pushes": 2,
        "leads": 3,
        "credit": 1,
        "reminders": 1,
    }
    assert board.figures["credit"].filters == {"id__in": str(world["customer"].pk)}


def test_each_number_opens_its_list_with_exactly_those_rows(admin_client):
    known_day()
    page = admin_client.get("/admin/").content.decode()
    board = selectors.staff_dashboard(now=timezone.now(), include=ALL)
    expected_rows = {
        "awaiting_approval": ("/admin/orders/order/", 1),
        "late_orders": ("/admin/orders/order/", 1),
        "failed_pushes": ("/admin/orders/orderpush/", 2),
        "leads": ("/admin/crm/reviewleadrow/", 3),
        "credit": ("/admin/customers/customer/", 1),
        "reminders": ("/admin/engagement/reminderdigest/", 1),
    }
    for key, (path, rows) in expected_rows.items():
        filters = board.figures[key].filters
        url = f"{path}?{urlencode(filters)}" if filters else path
        assert f'href="{url.replace("&", "&amp;")}"' in page, key
        listing = admin_client.get(url)
        assert listing.status_code == 200, key
        assert listing.context["cl"].result_count == rows, key
    web = next(c for c in board.today_channels if c.channel == "web")
    listing = admin_client.get("/admin/orders/order/?" + urlencode(web.filters))
    assert listing.context["cl"].result_count == 2
    assert "¥10,500" in page and "¥3,500" in page


def test_the_home_page_costs_a_bounded_number_of_statements(admin_client, assert_max_statements):
    known_day()
    admin_client.get("/admin/")
    with assert_max_statements(10):
        response = admin_client.get("/admin/")
    assert response.status_code == 200
    for _ in range(3):
        known_day()
    with assert_max_statements(10):
        admin_client.get("/admin/")


def test_each_role_sees_only_the_numbers_and_pages_it_may_open(client):
    call_command("sync_staff_roles")
    known_day()
    marketing = factories.make_staff(superuser=False)
    marketing.groups.add(Group.objects.get(name=roles.MARKETING))
    client.force_login(User.objects.get(pk=marketing.pk))
    response = client.get("/admin/")
    assert set(response.context["figures"]) == {"leads", "credit"}
    assert response.context["channels"] == []
    urls = [url for _label, url in response.context["staff_pages"]]
    assert urls == ["/admin/crm/reviewleadrow/", "/staff/dormant/"]
    desk = factories.make_staff(superuser=False)
    desk.groups.add(Group.objects.get(name=roles.ORDER_DESK))
    client.force_login(User.objects.get(pk=desk.pk))
    response = client.get("/admin/")
    assert {"awaiting_approval", "late_orders", "failed_pushes"} <= set(response.context["figures"])
    assert "leads" not in response.context["figures"]
    assert "/orders/staff/proxy/" in [url for _label, url in response.context["staff_pages"]]


def test_the_staff_menu_is_on_every_admin_page(admin_client):
    page = admin_client.get("/admin/orders/order/").content.decode()
    for url in [
        "/orders/staff/proxy/",
        "/admin/crm/contact/coverage/",
        "/admin/integration/reconciliationrun/",
    ]:
        assert f'href="{url}"' in page
