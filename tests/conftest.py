import os

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """API rate-limit counters and bad-token flags (the per-process "throttle" cache) start empty in
    every test, like the database: one test's calls must not spend another test's budget."""
    from django.core.cache import caches

    caches["throttle"].clear()


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

    from bench.scenarios import statements as production_statements

    @contextmanager
    def _assert(limit: int):
        with CaptureQueriesContext(connection) as context:
            yield context
        statements = production_statements(context.captured_queries)
        assert len(statements) <= limit, f"{len(statements)} statements > {limit}:\n" + "\n".join(statements)

    return _assert


# ---------------------------------------------------------------- browser tests (Playwright + Debian chromium)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Japanese phone: Accept-Language ja, so the shop answers in its default language.
    return {**browser_context_args, "locale": "ja-JP"}


def pytest_collection_modifyitems(session, config, items):
    """Browser tests run last: Playwright keeps an event loop alive in the main thread from then on."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Allow the ORM under Playwright's event loop from the first browser test on (they run last).

    Not module-level as in the testing.md recipe: that leaks into the subprocesses other tests start
    (``manage.py check --deploy`` fails with async.E001). Once Playwright's loop exists it stays for the
    session, so the flag stays too (test database teardown needs it).
    """
    if item.get_closest_marker("e2e") is not None:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return (yield)
