import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
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
