"""The ERP may send a product's cost price (optional); margin reports use it, omitting it keeps it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog.models import Product
from customers.services import issue_api_token
from tests import factories

pytestmark = pytest.mark.django_db

BODY = {"name": "六角ボルト", "unit": "個", "base_price": "12.50", "tax_rate": "10", "active": True}


@pytest.fixture
def erp():
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=factories.make_integration_user()).raw
    )
    return client


def test_cost_price_is_optional_and_kept_when_omitted(erp):
    assert erp.put("/api/v1/erp/products/B-1", BODY, format="json").status_code == 201
    assert Product.objects.get(sku="B-1").cost_price is None

    assert (
        erp.put("/api/v1/erp/products/B-1", {**BODY, "cost_price": "8.40"}, format="json").status_code == 200
    )
    assert Product.objects.get(sku="B-1").cost_price == Decimal("8.40")

    assert (
        erp.put("/api/v1/erp/products/B-1", {**BODY, "name": "六角ボルト M8"}, format="json").status_code
        == 200
    )
    assert Product.objects.get(sku="B-1").cost_price == Decimal("8.40")

    response = erp.post(
        "/api/v1/erp/products/bulk", {"items": [{**BODY, "sku": "B-1", "cost_price": "9"}]}, format="json"
    )
    assert response.status_code == 200
    assert Product.objects.get(sku="B-1").cost_price == Decimal("9")


def test_bad_cost_price_is_refused(erp):
    response = erp.put("/api/v1/erp/products/B-2", {**BODY, "cost_price": "-1"}, format="json")
    assert response.status_code == 400
    assert not Product.objects.filter(sku="B-2").exists()
