"""A client generated from /api/schema/ by openapi-python-client imports and runs both API flows.

This is how an ERP vendor or a buyer's developer meets the API: if the schema lies (a page
declared as one object, an untyped body, a form-encoded request), the generated client breaks.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from customers.models import Customer, User
from customers.services import issue_api_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PACKAGE = "b2bshop_client"


@pytest.fixture
def client_package(live_server, tmp_path, monkeypatch):
    schema = tmp_path / "schema.yaml"
    schema.write_bytes(urllib.request.urlopen(f"{live_server.url}/api/schema/").read())  # noqa: S310 - local
    output = tmp_path / PACKAGE
    generator = Path(sys.executable).parent / "openapi-python-client"
    monkeypatch.setenv("PATH", f"{generator.parent}:{__import__('os').environ.get('PATH', '')}")
    run = subprocess.run(
        [str(generator), "generate", "--path", str(schema), "--output-path", str(output), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _import_all(package) -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for name in names:
        importlib.import_module(name)  # any generator bug (e.g. an unimportable union) fails here
    return names


def test_generated_client_runs_the_erp_and_buyer_flows(client_package, live_server):
    names = _import_all(client_package)
    assert len([n for n in names if ".api." in n and not n.endswith("__init__")]) >= 16

    def mod(name: str):
        return importlib.import_module(f"{PACKAGE}.{name}")

    models = mod("models")
    integration = User.objects.create_user("erp@integration.invalid", None, is_integration=True)
    erp = client_package.AuthenticatedClient(
        base_url=live_server.url, token=issue_api_token(user=integration).raw
    )

    # ERP flow: customer, products, stock, prices
    answer = mod("api.erp.erp_customer_put").sync_detailed(
        "C90001",
        client=erp,
        body=models.CustomerInRequest.from_dict(
            {
                "name": "株式会社生成商事",
                "prefecture": "東京都",
                "postal_code": "100-0001",
                "address": "千代田区1-1",
                "closing_day": 31,
                "ec_enabled": True,
            }
        ),
    )
    assert answer.status_code in (200, 201), answer.content
    for sku in ("GEN-1", "GEN-2"):
        answer = mod("api.erp.erp_product_put").sync_detailed(
            sku,
            client=erp,
            body=models.ProductInRequest.from_dict(
                {
                    "name": f"生成品 {sku}",
                    "unit": "個",
                    "base_price": "1200",
                    "tax_rate": "10",
                    "active": True,
                }
            ),
        )
        assert answer.status_code in (200, 201), answer.content
        assert isinstance(answer.parsed, models.ProductOut)
    stock = mod("api.erp.erp_stock").sync_detailed(
        client=erp,
        body=models.ErpStockRequest.from_dict(
            {"items": [{"sku": "GEN-1", "on_hand": 100}, {"sku": "GEN-2", "on_hand": 3}]}
        ),
    )
    assert stock.status_code == 200, stock.content
    prices = mod("api.erp.erp_prices_bulk").sync_detailed(
        client=erp,
        body=models.ErpPriceBulkRequest.from_dict(
            {"items": [{"sku": "GEN-1", "customer": "C90001", "unit_price": "1000"}]}
        ),
    )
    assert prices.status_code == 200, prices.content

    # Buyer flow: products, bulk cart, checkout (409 then 201), orders
    customer = Customer.objects.get(code="C90001")
    buyer_user = User.objects.create_user(
        "gen@c90001.example.jp", "pw-gen-123", customer=customer, role="buyer"
    )
    buyer = client_package.AuthenticatedClient(
        base_url=live_server.url, token=issue_api_token(user=buyer_user).raw
    )
    page = mod("api.store.store_products").sync_detailed(client=buyer).parsed
    assert isinstance(page, models.PaginatedStoreProductList)
    assert {p.sku: p.unit_price for p in page.results} == {"GEN-1": "1000", "GEN-2": "1200"}

    bad = mod("api.v1.v1_store_cart_update").sync_detailed(
        client=buyer, body=models.CartLinesRequest.from_dict({"lines": [{"sku": "NOPE", "quantity": 1}]})
    )
    assert bad.status_code == 400
    assert [e.code for e in bad.parsed.errors] == ["unknown_sku"]

    cart = mod("api.v1.v1_store_cart_update").sync_detailed(
        client=buyer,
        body=models.CartLinesRequest.from_dict(
            {"lines": [{"sku": "GEN-1", "quantity": 5}, {"sku": "GEN-2", "quantity": 4}]}
        ),
    )
    assert isinstance(cart.parsed, models.Cart), cart.content
    assert cart.parsed.subtotal == "9800"

    checkout = mod("api.v1.v1_store_checkout_create")
    short = checkout.sync_detailed(client=buyer, idempotency_key="gen-1", body=models.CheckoutRequest())
    assert short.status_code == 409
    assert isinstance(short.parsed, models.OutOfStock)
    assert [(line.sku, line.available) for line in short.parsed.lines] == [("GEN-2", 3)]

    mod("api.v1.v1_store_cart_update").sync_detailed(
        client=buyer, body=models.CartLinesRequest.from_dict({"lines": [{"sku": "GEN-1", "quantity": 5}]})
    )
    placed = checkout.sync_detailed(client=buyer, idempotency_key="gen-2", body=models.CheckoutRequest())
    assert placed.status_code == 201, placed.content
    assert isinstance(placed.parsed, models.StoreOrder)
    number = placed.parsed.number

    orders = mod("api.v1.store_orders_list").sync_detailed(client=buyer).parsed
    assert [o.number for o in orders.results] == [number]
    detail = mod("api.v1.store_orders_retrieve").sync_detailed(number, client=buyer).parsed
    assert isinstance(detail, models.StoreOrder)
    assert [(line.sku, line.quantity) for line in detail.lines] == [("GEN-1", 5)]

    # ERP flow: order events back
    event = mod("api.erp.erp_orders_events_create").sync_detailed(
        number, client=erp, body=models.ErpOrderEventInputRequest.from_dict({"type": "accepted"})
    )
    assert event.status_code in (200, 201), event.content
    assert event.parsed.status == "accepted"
