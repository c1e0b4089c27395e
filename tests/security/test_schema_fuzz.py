"""schemathesis over the whole /api/schema/, in-process over WSGI.

As a buyer (a company admin, so approvals are reachable) over every /api/v1/store/ operation, with a
product, a confirmed and a waiting order of their own to find: no 5xx, and every answer matches the
schema (status codes, bodies, content types). The ERP's half runs in tests/orders/test_erp_fuzz.py
the same way; each role against the other's half is tests/security/test_tenancy_sweep.py. Examples
are few and derandomised, so the run is short and repeatable.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from b2bshop.wsgi import application
from customers.services import issue_api_token
from orders.services.checkout import CheckoutDetails, place_order
from tests import factories
from tests.orders.builders import fill_cart

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
store_api = schema.include(path_regex=r"^/api/v1/store/")

FUZZ = settings(
    max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
# Schema-valid yet meaningless input (an unknown SKU, a page past the end, an empty search) may be
# rightly refused or accepted; the checks that matter are no 5xx and answers that match the schema.
LENIENT = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.negative_data_rejection]


@pytest.fixture
def wsgi_db(db):
    """The raw WSGI app closes the DB connection after each request; keep the test transaction's open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def buyer_token(wsgi_db):
    """A company admin (may approve) with a product, a confirmed and a waiting order to find."""
    customer = factories.make_customer()
    admin = factories.make_buyer(customer=customer, role="admin")
    limited = factories.make_buyer(customer=customer)
    limited.spending_limit = 1
    limited.save()
    product = factories.make_product(sku="FUZZ-1", base_price="120")
    for user, key in ((admin, "fuzz-1"), (limited, "fuzz-2")):
        fill_cart(user, (product, 2))
        place_order(buyer=user, idempotency_key=key, details=CheckoutDetails(), now=timezone.now())
    fill_cart(admin, (product, 1))
    return issue_api_token(user=admin).raw


@store_api.parametrize()
@FUZZ
def test_the_buyer_api_never_answers_5xx_and_matches_its_schema(case, buyer_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {buyer_token}"}, excluded_checks=LENIENT)
