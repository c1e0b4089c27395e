import pytest
from rest_framework.test import APIClient

from customers.services import issue_api_token
from tests import factories
from tests.orders.conftest import (  # noqa: F401 - the real ERP server and worker fixtures, shared
    erp_url,
    httpserver_listen_address,
    make_httpserver,
)
from tests.orders.test_erp_worker import start_worker  # noqa: F401 - a real Celery worker on the test DB


@pytest.fixture
def erp(db):
    """The ERP with a real bearer token (so the call log records who called)."""
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=factories.make_integration_user()).raw
    )
    return client


@pytest.fixture
def store(buyer):
    """A buyer's API client with a real bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=buyer).raw)
    return client
