"""SQL statements per request stay constant as items grow (issue 6; also a `make bench-queries` entry).

Each case switches itself on when its endpoint is merged: it is skipped only while the URL does
not resolve. The requests and the data come from bench/scenarios.py, shared with the harness.
"""

import pytest

from bench import config, scenarios

pytestmark = pytest.mark.django_db


def _needs(path: str):
    return pytest.mark.skipif(not scenarios.route_exists(path), reason=f"{path} not merged yet (Resolver404)")


def _count(builder, client, **kwargs):
    world = scenarios.build_world()
    _path, act = builder(world, client, **kwargs)
    return scenarios.count_queries(act)


def _assert_ok(response):
    assert 200 <= response.status_code < 300, response.content[:500]


@_needs(config.PAGES["catalog_list"].format(category="X", query="x"))
def test_catalog_list_page(client, assert_max_statements):
    world = scenarios.build_world()
    _path, act = scenarios.catalog_page_request(world, client)
    # 12 (issue 16): + the header's cart badge, + a capped result count, + the rules (and the category
    # tree, since a quantity rule is category-scoped) so each row shows the limits the cart enforces.
    with assert_max_statements(12):
        _assert_ok(act())


@_needs(config.API["products"])
def test_catalog_list_api(client, assert_max_statements):
    world = scenarios.build_world()
    _path, act = scenarios.catalog_api_request(world, client)
    with assert_max_statements(10):
        _assert_ok(act())


@_needs(config.PAGES["product"].format(sku="X"))
def test_product_page(client, assert_max_statements):
    world = scenarios.build_world()
    _path, act = scenarios.product_page_request(world, client)
    # 7: session, user, cache versions, product with stock (hand-written), prices (hand-written),
    # the header's cart badge, the reorder banner. The cross-sell panel is a separate htmx request.
    with assert_max_statements(7):
        _assert_ok(act())


@_needs(config.API["cart_item"].format(sku="X"))
@pytest.mark.parametrize("lines", [1, 50])
def test_cart_put(client, assert_max_statements, lines):
    world = scenarios.build_world()
    _path, act = scenarios.cart_request(world, client, lines=lines)
    with assert_max_statements(12):
        _assert_ok(act())


@_needs(config.API["cart_item"].format(sku="X"))
def test_cart_put_is_constant_in_lines(client):
    (r1, one), (r50, fifty) = (
        _count(scenarios.cart_request, client, lines=1),
        _count(scenarios.cart_request, client, lines=50),
    )
    _assert_ok(r1)
    _assert_ok(r50)
    assert fifty == one


@pytest.mark.parametrize("lines", [5, 50])
def test_bulk_cart_put(client, assert_max_statements, lines):
    world = scenarios.build_world()
    _path, act = scenarios.cart_bulk_request(world, client, lines=lines)
    with assert_max_statements(12):
        response = act()
    _assert_ok(response)
    assert len(response.json()["lines"]) == lines


@_needs(config.API["checkout"])
@pytest.mark.parametrize("lines", [5, 50])
def test_checkout(client, assert_max_statements, lines):
    world = scenarios.build_world()
    _path, act = scenarios.checkout_request(world, client, lines=lines)
    # 21: the confirmation e-mail names the actual earliest delivery day (one holiday read).
    with assert_max_statements(21):
        response = act()
    assert response.status_code == 201, response.content[:500]


@_needs(config.API["checkout"])
def test_checkout_is_constant_in_lines(client):
    (_, five), (_, fifty) = (
        _count(scenarios.checkout_request, client, lines=5),
        _count(scenarios.checkout_request, client, lines=50),
    )
    # 50 lines clear the small-order fee, so one fee INSERT fewer: never more statements for more lines.
    assert fifty <= five


@_needs(config.API["orders"])
def test_order_history_is_constant_in_orders(client, assert_max_statements):
    (r10, ten), (r100, hundred) = (
        _count(scenarios.order_history_request, client, orders=10),
        _count(scenarios.order_history_request, client, orders=100),
    )
    _assert_ok(r10)
    _assert_ok(r100)
    assert hundred == ten


@pytest.mark.parametrize(
    ("builder", "path"),
    [
        (scenarios.erp_stock_request, config.API["erp_stock"]),
        (scenarios.erp_prices_request, config.API["erp_prices"]),
    ],
    ids=["stock", "prices"],
)
@pytest.mark.parametrize("items", [50, 500])
def test_erp_batch(client, assert_max_statements, builder, path, items):
    if not scenarios.route_exists(path):
        pytest.skip(f"{path} not merged yet (Resolver404)")
    world = scenarios.build_world()
    _path, act = builder(world, client, items=items)
    with assert_max_statements(6):
        _assert_ok(act())
