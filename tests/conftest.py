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


@pytest.fixture
def english():
    """Run the test with English active (Japanese is the default language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def assert_max_statements():
    """Like django_assert_max_num_queries, but counts the SQL statements a request sends in production.

    SAVEPOINT bookkeeping exists only because each test runs inside a transaction, so it is left out.
    """
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bookkeeping = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

    @contextmanager
    def _assert(limit: int):
        with CaptureQueriesContext(connection) as context:
            yield context
        statements = [q["sql"] for q in context.captured_queries if not q["sql"].upper().startswith(bookkeeping)]
        assert len(statements) <= limit, f"{len(statements)} statements > {limit}:\n" + "\n".join(statements)

    return _assert
