import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def make_httpserver(httpserver_listen_address, httpserver_ssl_context):
    """A threaded ERP server: a slow handler must not block the next request (killed-worker test)."""
    host, port = httpserver_listen_address
    server = HTTPServer(host=host, port=port, ssl_context=httpserver_ssl_context, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def erp_url(httpserver, settings):
    settings.ERP_ORDERS_URL = httpserver.url_for("/orders")
    settings.ERP_SIGNING_SECRET = "test-signing-secret"
    return settings.ERP_ORDERS_URL


@pytest.fixture
def erp_token(db):
    from customers.services import create_integration_user

    return create_integration_user(name="Test ERP").raw


@pytest.fixture
def erp_api(client, erp_token):
    """A Django test client that sends the integration user's bearer token."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {erp_token}"
    return client
