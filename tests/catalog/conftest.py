import pytest
from rest_framework.test import APIClient

from customers.services import issue_api_token
from tests import factories


@pytest.fixture
def integration_user(db):
    return factories.make_integration_user()


@pytest.fixture
def erp(integration_user):
    """An API client authenticated as the ERP with a real bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + issue_api_token(user=integration_user).raw)
    return client


@pytest.fixture
def erp_fast(integration_user):
    """Authenticated without a token lookup, so query counts measure only the endpoint's own work."""
    client = APIClient()
    client.force_authenticate(integration_user)
    return client
