import os

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _japanese(settings):
    settings.LANGUAGE_CODE = "ja"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Japanese phone: Accept-Language ja, so the shop answers in its default language.
    return {**browser_context_args, "locale": "ja-JP"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Allow the ORM under Playwright's event loop during browser tests only (setup to teardown).

    Not module-level as in the testing.md recipe: that leaked into subprocesses of other tests
    (``manage.py check --deploy`` fails with async.E001).
    """
    if item.get_closest_marker("e2e") is None:
        return (yield)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        return (yield)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
