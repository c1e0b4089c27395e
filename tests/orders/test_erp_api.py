"""ERP order API: token scoping, cursor pagination, the one payload shape, schema and fuzzing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from customers.models import ApiToken
from customers.services import issue_api_token, revoke_api_token
from integration.models import ApiCallLog
from orders.erp_payload import order_payload, with_payload_relations
from orders.models import Order
from tests import factories
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_commands_issue_tokens_that_work_on_the_erp_api_and_are_logged(client):
    out = io.StringIO()
    call_command("create_integration_user", "--name", "Core ERP", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    order = make_confirmed_order(push=False)
    response = client.get("/api/v1/erp/orders", **_bearer(token))
    assert response.status_code == 200
    assert [o["number"] for o in response.json()["results"]] == [order.number]

    out = io.StringIO()
    call_command("create_api_token", "--user", "core-erp@integration.invalid", stdout=out)
    second = out.getvalue().strip().splitlines()[-1]
    assert second != token
    assert (
        client.get(f"/api/v1/erp/orders/{order.number}", HTTP_AUTHORIZATION=f"Token {second}").status_code
        == 200
    )

    log = ApiCallLog.objects.order_by("id")
    assert [(c.method, c.path, c.status_code, c.user.email) for c in log] == [
        ("GET", "/api/v1/erp/orders", 200, "core-erp@integration.invalid"),
        ("GET", f"/api/v1/erp/orders/{order.number}", 200, "core-erp@integration.invalid"),
    ]
    assert log[0].token_prefix == token[:12] and log[1].token_prefix == second[:12]


def test_only_integration_users_may_call_the_erp_api(client, erp_token):
    buyer = factories.make_buyer()
    buyer_token = issue_api_token(user=buyer).raw
    order = make_confirmed_order(push=False)
    urls = ["/api/v1/erp/orders", f"/api/v1/erp/orders/{order.number}"]
    for url in urls:
        assert client.get(url).status_code == 401
        assert client.get(url, **_bearer("b2b_not-a-token")).status_code == 401
        assert client.get(url, **_bearer(buyer_token)).status_code == 403
        assert client.get(url, **_bearer(erp_token)).status_code == 200
    event = client.post(
        f"/api/v1/erp/orders/{order.number}/events",
        {"type": "accepted"},
        content_type="application/json",
        **_bearer(buyer_token),
    )
    assert event.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    anonymous = client.get(urls[0])
    assert anonymous.json()["code"] == "not_authenticated" and "Bearer" in anonymous["WWW-Authenticate"]

    staff = factories.make_staff()
    client.force_login(staff)  # an admin session is not an integration user either
    assert client.get(urls[0]).status_code == 403
    client.logout()

    revoke_api_token(token=ApiToken.objects.get(user__is_integration=True), now=timezone.now())
    assert client.get(urls[0], **_bearer(erp_token)).status_code == 401
    logged = list(ApiCallLog.objects.filter(status_code=403).values_list("user__email", flat=True))
    assert buyer.email in logged


def test_admin_rotation_replaces_the_token(client, staff_client, erp_token):
    token = ApiToken.objects.get(user__is_integration=True)
    response = staff_client.post(
        "/admin/customers/apitoken/", {"action": "rotate", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert client.get("/api/v1/erp/orders", **_bearer(erp_token)).status_code == 401
    assert ApiToken.objects.filter(user=token.user, revoked_at__isnull=True).count() == 1


def test_detail_is_the_push_payload_plus_state(erp_api):
    order = make_confirmed_order(po_number="PO-9")
    erp_api.post(
        f"/api/v1/erp/orders/{order.number}/events", {"type": "accepted"}, content_type="application/json"
    )
    body = erp_api.get(f"/api/v1/erp/orders/{order.number}").json()
    expected = order_payload(with_payload_relations(Order.objects.filter(pk=order.pk)).get())
    assert {k: body[k] for k in expected} == expected
    assert set(body) - set(expected) == {"status", "tracking_number", "updated_at", "events"}
    assert body["status"] == "accepted" and body["tracking_number"] == ""
    assert [e["type"] for e in body["events"]] == ["placed", "accepted"]
    missing = erp_api.get("/api/v1/erp/orders/B000000-000000")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def _numbers(page):
    return [o["number"] for o in page["results"]]


def test_cursor_pagination_is_oldest_first_and_survives_concurrent_updates(erp_api):
    customer = factories.make_customer()
    product = factories.make_product()
    orders = [make_confirmed_order(customer=customer, items=[(product, 1)], push=False) for _ in range(5)]
    numbers = [o.number for o in orders]
    first = erp_api.get("/api/v1/erp/orders?page_size=2").json()
    assert _numbers(first) == numbers[:2] and first["previous"] is None
    # Order 0 (already read) and order 3 (not yet read) change while the ERP pages.
    for number in (numbers[0], numbers[3]):
        erp_api.post(
            f"/api/v1/erp/orders/{number}/events", {"type": "accepted"}, content_type="application/json"
        )
    seen = _numbers(first)
    page = first
    while page["next"]:
        page = erp_api.get(page["next"]).json()
        seen += _numbers(page)
    # Nothing skipped; changed orders come again, after the unchanged ones.
    assert seen == numbers[:2] + [numbers[2], numbers[4], numbers[0], numbers[3]]
    back = erp_api.get(page["previous"]).json()
    assert _numbers(back) == [numbers[2], numbers[4]]


def test_filters_status_and_updated_since(erp_api):
    old = make_confirmed_order(push=False)
    Order.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    recent = make_confirmed_order(push=False)
    erp_api.post(
        f"/api/v1/erp/orders/{recent.number}/events", {"type": "accepted"}, content_type="application/json"
    )
    since = (timezone.localtime() - timedelta(days=1)).isoformat()
    assert _numbers(erp_api.get("/api/v1/erp/orders", {"updated_since": since}).json()) == [recent.number]
    assert _numbers(erp_api.get("/api/v1/erp/orders?status=confirmed").json()) == [old.number]
    assert _numbers(erp_api.get("/api/v1/erp/orders?status=accepted").json()) == [recent.number]
    # a raw '+' in a hand-written query string arrives as a space: still understood
    raw = erp_api.get("/api/v1/erp/orders?updated_since=" + since.replace("+", "%20"))
    assert _numbers(raw.json()) == [recent.number]


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "updated_since=yesterday",
        "cursor=%%%",
        "cursor=WyJ4Il0",
        "page_size=0",
        "page_size=abc",
        "page_size=201",
    ],
)
def test_bad_list_parameters_are_400_with_details(erp_api, query):
    response = erp_api.get(f"/api/v1/erp/orders?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["details"]


def test_list_query_count_does_not_grow_with_the_page(erp_api, django_assert_max_num_queries):
    customer = factories.make_customer()
    product = factories.make_product()
    for _ in range(12):
        make_confirmed_order(customer=customer, items=[(product, 1)], push=False)
    # auth (token + touch) + call log + orders + 3 prefetches (lines, fees, events) + savepoints
    with django_assert_max_num_queries(10):
        response = erp_api.get("/api/v1/erp/orders?page_size=50")
    assert len(response.json()["results"]) == 12


def test_schema_is_valid_and_describes_the_erp_order_endpoints(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    assert {"/api/v1/erp/orders", "/api/v1/erp/orders/{number}", "/api/v1/erp/orders/{number}/events"} <= set(
        paths
    )
    event_op = paths["/api/v1/erp/orders/{number}/events"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(event_op["responses"])
    assert event_op["security"][0] == {"bearerAuth": []}
    assert (
        "examples"
        in paths["/api/v1/erp/orders/{number}"]["get"]["responses"]["200"]["content"]["application/json"]
    )
