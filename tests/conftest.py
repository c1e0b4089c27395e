import pytest

from tests import factories


@pytest.fixture
def buyer(db):
    return factories.make_buyer()


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
