"""Builders for checkout tests: rules through the service, carts, buyers with tokens."""

from __future__ import annotations

from rest_framework.test import APIClient

from customers.services import issue_api_token
from orders.services.cart import add_items
from pricing_rules import services
from pricing_rules.models import Rule


def make_rule(**doc) -> Rule:
    """A stored rule from its rules-file JSON (validated like load_rules)."""
    rule = services.parse_rule(doc)
    return services.save_rule(row=Rule(**services.row_fields(rule)), actor=None, source="test")


def fill_cart(buyer, *items) -> None:
    add_items(buyer=buyer, items=list(items))


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user).raw}")
    return client
