"""Web history: recorded in Redis without any SQL in the buyer's request, flushed in one INSERT, aged out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insights import activity, selectors
from insights.models import WebEvent
from tests import factories
from tests.insights.builders import order_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def buffer(settings):
    """Our own Redis db (REDIS_URL), our own key: cleared before and after each test."""
    activity._client = None
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(activity.BUFFER_KEY)
    yield client
    client.delete(activity.BUFFER_KEY)
    activity._client = None


@pytest.fixture
def buyer_setup(client):
    product = factories.make_product(sku="SKU-VIEW-1", name="六角ボルト")
    buyer = factories.make_buyer()
    client.force_login(buyer)
    return buyer, product


def _statements(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_storefront_request_sends_no_extra_sql(client, buyer_setup, buffer, settings):
    _buyer, product = buyer_setup
    url = reverse("catalog:product_detail", args=[product.sku])
    _statements(client, url)  # warm-up (session, caches)
    buffer.delete(activity.BUFFER_KEY)

    recorded = _statements(client, url)
    assert buffer.llen(activity.BUFFER_KEY) == 1
    settings.REDIS_URL = ""  # recording off
    activity._client = None
    unrecorded = _statements(client, url)

    assert len(recorded) == len(unrecorded)
    assert not [sql for sql in recorded if WebEvent._meta.db_table in sql]


def test_searches_views_cart_and_login_are_recorded_then_flushed_in_one_insert(client, buyer_setup, buffer):
    buyer, product = buyer_setup
    buffer.delete(activity.BUFFER_KEY)  # the fixture's own login
    client.get(reverse("catalog:product_list"), {"q": "ボルト"})
    client.get(reverse("catalog:product_detail", args=[product.sku]))
    client.post(reverse("orders:cart_add"), {"sku": product.sku, "quantity": "1"})
    client.logout()
    client.login(request=HttpRequest(), username=buyer.email, password="buyer-pass-123")
    client.get(reverse("catalog:product_list"))  # no query: not a search
    assert buffer.llen(activity.BUFFER_KEY) == 4

    with CaptureQueriesContext(connection) as ctx:
        moved = activity.flush_web_events()

    assert moved == 4
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    events = list(WebEvent.objects.order_by("id").values_list("customer_id", "user_id", "kind", "detail"))
    cid = buyer.customer_id
    assert events == [
        (cid, buyer.pk, "search", "ボルト"),
        (cid, buyer.pk, "view", product.sku),
        (cid, buyer.pk, "cart", ""),
        (cid, buyer.pk, "login", ""),
    ]
    assert buffer.llen(activity.BUFFER_KEY) == 0
    assert activity.flush_web_events() == 0


def test_staff_and_anonymous_requests_are_not_recorded(client, staff, buffer):
    client.get(reverse("login"))
    client.force_login(staff)
    client.get(reverse("admin:index"))
    assert buffer.llen(activity.BUFFER_KEY) == 0


def test_redis_down_drops_the_event_not_the_request(client, buyer_setup, settings):
    _buyer, product = buyer_setup
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    activity._client = None
    response = client.get(reverse("catalog:product_detail", args=[product.sku]))
    assert response.status_code == 200


def test_retention_limit_deletes_old_events():
    now = timezone.now()
    WebEvent.objects.bulk_create(
        [
            WebEvent(customer_id=1, user_id=1, kind="view", detail="old", at=now - timedelta(days=181)),
            WebEvent(customer_id=1, user_id=1, kind="view", detail="new", at=now - timedelta(days=179)),
        ]
    )
    assert activity.purge_web_events(now=now, days=180) == 1
    assert list(WebEvent.objects.values_list("detail", flat=True)) == ["new"]


def test_web_history_counts_tops_and_left_carts():
    customer = factories.make_customer()
    buyer = factories.make_buyer(customer=customer)
    product = factories.make_product()
    now = timezone.now()
    day = timedelta(days=1)
    events = [
        ("login", "", now - 5 * day), ("search", "ボルト", now - 5 * day), ("search", "ボルト", now - 4 * day),
        ("search", "ナット", now - 4 * day), ("view", "SKU-1", now - 4 * day),
        ("cart", "", now - 5 * day),  # followed by an order the same day → not left
        ("cart", "", now - 3 * day),  # no order after it → left
        ("view", "SKU-OLD", now - 100 * day),  # outside the 90 days shown
    ]  # fmt: skip
    WebEvent.objects.bulk_create(
        [WebEvent(customer_id=customer.pk, user_id=buyer.pk, kind=k, detail=d, at=t) for k, d, t in events]
    )
    order = order_of(customer, product, "2026-01-01", 100)
    order.placed_at = now - 5 * day + timedelta(hours=2)
    order.save()

    history = selectors.web_history(customer_id=customer.pk, now=now)

    assert history.counts == {"login": 1, "search": 3, "view": 1, "cart": 2}
    assert history.top_searches == [("ボルト", 2), ("ナット", 1)]
    assert history.top_viewed == [("SKU-1", 1)]
    assert [(c.user_email, c.changes, c.still_open) for c in history.left_carts] == [(buyer.email, 1, False)]
    assert history.last_login_at is not None
