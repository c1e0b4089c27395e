"""API limits: rate limits per token and per buyer (429 + Retry-After + the error body), page caps."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from b2bshop.api import PageNumberPagination
from customers.services import issue_api_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"erp": "3/min", "store": "2/min", "anon": "2/min"},
    }


def _client(token: str, ip: str = "10.1.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    client.credentials(HTTP_AUTHORIZATION="Bearer " + token)
    return client


def test_each_erp_token_has_its_own_budget_and_gets_429_with_retry_after():
    integration = factories.make_integration_user()
    first, second = issue_api_token(user=integration).raw, issue_api_token(user=integration).raw
    erp = _client(first)
    statuses = [erp.get("/api/v1/erp/orders").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = erp.get("/api/v1/erp/orders")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "throttled" and set(body) == {"code", "message", "details"}
    assert "リクエスト" in body["message"] or "秒" in body["message"]
    # the other token of the same ERP still has its budget
    assert _client(second).get("/api/v1/erp/orders").status_code == 200


def test_each_buyer_has_a_budget_whatever_the_address(buyer):
    token = issue_api_token(user=buyer).raw
    assert _client(token, "10.1.0.1").get("/api/v1/store/orders").status_code == 200
    assert _client(token, "10.1.0.2").get("/api/v1/store/orders").status_code == 200
    assert _client(token, "10.1.0.3").get("/api/v1/store/orders").status_code == 429
    other = issue_api_token(user=factories.make_buyer()).raw
    assert _client(other, "10.1.0.3").get("/api/v1/store/orders").status_code == 200


def test_session_buyers_are_limited_too(buyer_client):
    assert [buyer_client.get("/api/v1/store/orders").status_code for _ in range(3)] == [200, 200, 429]


def test_off_disables_a_limit(settings, buyer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"erp": "off", "store": "off", "anon": "off"},
    }
    client = _client(issue_api_token(user=buyer).raw)
    assert {client.get("/api/v1/store/orders").status_code for _ in range(5)} == {200}


def test_page_size_is_capped():
    paginator = PageNumberPagination()

    class _Request:
        query_params = {"page_size": "100000"}

    assert paginator.get_page_size(_Request()) == 200


def test_erp_page_size_above_the_cap_is_a_clear_400():
    erp = _client(issue_api_token(user=factories.make_integration_user()).raw)
    response = erp.get("/api/v1/erp/orders", {"page_size": "100000"})
    assert response.status_code == 400 and "page_size" in response.json()["details"]
