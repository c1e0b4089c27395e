"""The product list is a buyer API view like the cart: its errors come in the buyer's own language."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from customers.services import issue_api_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "message"), [("en", "Invalid page."), ("ja", "ページの指定が正しくありません。")]
)
def test_product_list_errors_follow_the_buyers_language(language, message):
    buyer = factories.make_buyer()
    buyer.preferred_language = language
    buyer.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=buyer).raw)

    # The client's Accept-Language says the opposite: the buyer's own setting wins, as on the cart.
    other = "ja" if language == "en" else "en"
    response = client.get("/api/v1/store/products?page=0", HTTP_ACCEPT_LANGUAGE=other)

    assert response.status_code == 404
    assert response.json()["message"] == message
