"""Tenancy sweep from the URLconf: every address that names an object is 404 to another company.

The list of addresses comes from ``django.urls.get_resolver()``, so a new view cannot be forgotten:
``test_every_pattern_with_an_object_in_it_is_swept_or_exempt`` fails until the new pattern is in
``SWEEP`` (with the owner's object to ask for) or in ``EXEMPT`` (with the reason). The intruder is the
other company's *admin* (the strongest buyer role), by session and by bearer token; the owner making
the same request is the control that proves the object is real (so a 404 cannot come from a typo).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing import services as billing_services
from catalog.services import VisibilityTargets, replace_visibility
from customers.services import issue_api_token
from engagement.models import ReminderDigest
from orders.models import OrderTemplate, OrderTemplateLine
from orders.services.checkout import CheckoutDetails, place_order
from tests import factories
from tests.billing.builders import at, order_for
from tests.orders.builders import fill_cart


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        else:
            yield route, entry


def patterns_with_kwargs() -> dict[str, URLPattern]:
    """Every URL pattern (storefront, API, admin) whose address carries a value."""
    return {route: pattern for route, pattern in _walk(get_resolver()) if pattern.pattern.regex.groupindex}


# ---------------------------------------------------------------- the owner's world
@dataclass
class World:
    """Company B owns everything; A's admin is the intruder. ``objects`` fill the URL kwargs."""

    owner: Any
    owner_approver: Any
    intruder: Any
    objects: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(db, settings) -> World:
    settings.SHOP_INVOICE_REGISTRATION_NUMBER = "T7000012050002"
    settings.INVOICE_BASIS = "shipped"
    owner_company = factories.make_customer()
    owner_company.closing_day = 31
    owner_company.save()
    intruder_company = factories.make_customer()
    owner = factories.make_buyer(customer=owner_company)
    owner.spending_limit = Decimal(1)  # every order of theirs waits for approval
    owner.save()
    owner_approver = factories.make_buyer(customer=owner_company, role="admin")
    intruder = factories.make_buyer(customer=intruder_company, role="admin")

    category = factories.make_category()
    hidden = factories.make_product(category=category, base_price="100")
    replace_visibility(
        customer_code=intruder_company.code,
        hide=VisibilityTargets(categories=(category.code,)),
        allow=VisibilityTargets(),
    )
    fill_cart(owner, (hidden, 2))
    waiting = place_order(
        buyer=owner, idempotency_key="sweep", details=CheckoutDetails(), now=timezone.now()
    ).order
    shipped = order_for(owner_company, shipped_on=date(2026, 11, 2), items=[(hidden, 1)])
    (invoice,) = billing_services.close_invoices(
        run_date=date(2026, 11, 30), now=at(date(2026, 11, 30))
    ).created
    template = OrderTemplate.objects.create(customer=owner_company, name="定番", created_by=owner)
    OrderTemplateLine.objects.create(template=template, product=hidden, quantity=1)
    digest = ReminderDigest.objects.create(
        customer=owner_company, on_date=timezone.localdate(), recipient=owner, created_at=timezone.now()
    )
    return World(
        owner=owner,
        owner_approver=owner_approver,
        intruder=intruder,
        objects={
            "waiting": waiting.number,
            "shipped": shipped.number,
            "invoice": invoice.number,
            "sku": hidden.sku,
            "category": category.code,
            "template": str(template.pk),
            "digest": str(digest.pk),
            "colleague": str(owner.pk),
        },
    )


@dataclass(frozen=True)
class Sweep:
    """How to ask for the owner's object: the kwargs (names of ``World.objects``), methods and body."""

    kwargs: dict[str, str]
    methods: tuple[str, ...]
    body: dict[str, Any] = field(default_factory=dict)
    owner: str = "owner_approver"  # who makes the control request


ORDER = {"number": "shipped"}
WAITING = {"number": "waiting"}
SWEEP: dict[str, Sweep] = {
    # buyer API (session and bearer token)
    "api/v1/store/cart/items/<str:sku>": Sweep({"sku": "sku"}, ("PUT", "DELETE"), {"quantity": 1}),
    "api/v1/store/orders/<str:number>": Sweep(ORDER, ("GET",)),
    "api/v1/store/orders/<str:number>/reorder": Sweep(ORDER, ("POST",)),
    "api/v1/store/orders/<str:number>/approve": Sweep(WAITING, ("POST",)),
    "api/v1/store/orders/<str:number>/reject": Sweep(WAITING, ("POST",)),
    "api/v1/store/invoices/<str:number>": Sweep({"number": "invoice"}, ("GET",)),
    "api/v1/store/invoices/<str:number>.pdf": Sweep({"number": "invoice"}, ("GET",)),
    "api/v1/store/orders/<str:number>/delivery-slip.pdf": Sweep(ORDER, ("GET",)),
    # storefront pages
    "company/users/<int:user_id>/": Sweep({"user_id": "colleague"}, ("GET", "POST"), {"role": "buyer"}),
    "company/users/<int:user_id>/deactivate/": Sweep({"user_id": "colleague"}, ("POST",)),
    "company/users/<int:user_id>/reactivate/": Sweep({"user_id": "colleague"}, ("POST",)),
    "orders/cart/lines/<str:sku>/": Sweep({"sku": "sku"}, ("POST",), {"quantity": "1"}),
    "orders/templates/<int:template_id>/add/": Sweep({"template_id": "template"}, ("POST",)),
    "orders/templates/<int:template_id>/delete/": Sweep({"template_id": "template"}, ("POST",)),
    "orders/history/<str:number>/": Sweep(ORDER, ("GET",)),
    "orders/history/<str:number>/placed/": Sweep(ORDER, ("GET",)),
    "orders/history/<str:number>/reorder/": Sweep(ORDER, ("POST",)),
    "orders/history/<str:number>/approve/": Sweep(WAITING, ("POST",)),
    "orders/history/<str:number>/reject/": Sweep(WAITING, ("POST",)),
    "invoices/<str:number>.pdf": Sweep({"number": "invoice"}, ("GET",)),
    "invoices/slips/<str:number>.pdf": Sweep(ORDER, ("GET",)),
    "reminders/<int:digest_id>/": Sweep({"digest_id": "digest"}, ("GET", "POST"), owner="owner"),
    "products/<str:sku>/": Sweep({"sku": "sku"}, ("GET",)),
    "categories/<str:category_code>/": Sweep({"category_code": "category"}, ("GET",)),
}

EXEMPT: dict[str, str] = {
    "password/reset/<uidb64>/<token>/": "a signed single-use token, not a company object "
    "(tests/customers/test_self_service.py)",
    "invitation/<str:token>/": "a signed single-use token sent by e-mail (tests/customers/test_self_service.py)",
    "unsubscribe/<str:token>/": "RFC 8058 one-click: the signed token is the proof, no session "
    "(tests/engagement/test_reminders.py)",
}
# Whole areas checked by a rule of their own below, so new patterns there are covered automatically.
ERP_PREFIX = (
    "api/v1/erp/"  # integration users only: test_the_erp_api_refuses_buyers_the_same_for_every_object
)
ADMIN_PREFIX = "admin/"  # staff only: test_admin_pages_send_buyers_to_the_login_page


def test_every_pattern_with_an_object_in_it_is_swept_or_exempt():
    routes = set(patterns_with_kwargs())
    unknown = sorted(
        r for r in routes - set(SWEEP) - set(EXEMPT) if not r.startswith((ERP_PREFIX, ADMIN_PREFIX))
    )
    assert not unknown, f"new URL patterns: add them to SWEEP or EXEMPT (with a reason): {unknown}"
    stale = sorted((set(SWEEP) | set(EXEMPT)) - routes)
    assert not stale, f"these patterns no longer exist: {stale}"
    assert len(SWEEP) >= 20  # the walk really found the storefront and the buyer API


def _address(route: str, world: World, kwargs: dict[str, str], missing: bool = False) -> str:
    address = "/" + route
    for name, pattern_kwarg in zip(kwargs, kwargs.values(), strict=True):
        value = "999999" if missing else world.objects[pattern_kwarg]
        converter = "int" if f"<int:{name}>" in route else "str"
        address = address.replace(f"<{converter}:{name}>", value)
    assert "<" not in address, address
    return address


def _clients(user, *, api: bool) -> list[Client | APIClient]:
    session = Client()
    session.force_login(user)
    if not api:
        return [session]
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user).raw}")
    return [session, token]


def _send(client: Client | APIClient, method: str, address: str, body: dict[str, Any], api: bool):
    call: Callable[..., Any] = getattr(client, method.lower())
    if method == "GET":
        return call(address)
    if api:
        return call(address, body, content_type="application/json")
    return call(address, body)


@pytest.mark.parametrize("route", sorted(SWEEP))
def test_another_companys_object_is_404_at_every_address(route, world):
    sweep = SWEEP[route]
    api = route.startswith("api/")
    address = _address(route, world, sweep.kwargs)
    for client in _clients(world.intruder, api=api):
        for method in sweep.methods:
            response = _send(client, method, address, sweep.body, api)
            assert response.status_code == 404, (method, address, type(client).__name__, response.status_code)
            if api:
                assert response.json()["code"]  # the contract's error body, not an HTML page
    # The same answer as for an object that does not exist: nothing to learn from the difference.
    missing = _address(route, world, sweep.kwargs, missing=True)
    for method in sweep.methods:
        assert (
            _send(_clients(world.intruder, api=False)[0], method, missing, sweep.body, api).status_code == 404
        )
    # Control: the owner's company reaches the same object at the same address.
    owner = getattr(world, sweep.owner)
    for method in sweep.methods:
        response = _send(_clients(owner, api=False)[0], method, address, sweep.body, api)
        assert response.status_code in (200, 201, 302), (method, address, response.status_code)


def test_the_erp_api_refuses_buyers_the_same_for_every_object(world):
    """A buyer's token is refused by role before any lookup: 403 alike for existing and missing objects."""
    values = {
        "sku": world.objects["sku"],
        "code": world.owner.customer.code,
        "number": world.objects["shipped"],
    }
    (token,) = _clients(world.owner_approver, api=True)[1:]
    routes = sorted(r for r in patterns_with_kwargs() if r.startswith(ERP_PREFIX))
    assert len(routes) >= 9
    for route in routes:
        address = "/" + route
        for name, value in values.items():
            address = address.replace(f"<str:{name}>", value)
        assert "<" not in address, f"give the sweep a value for {address}"
        for target in (address, "/" + route.replace("<str:", "NOPE-").replace(">", "")):
            for method in ("GET", "PUT", "POST"):
                response = _send(token, method, target, {}, api=True)
                assert response.status_code in (403, 405), (method, target, response.status_code)
                if response.status_code == 403:
                    assert response.json()["code"]


def test_admin_pages_send_buyers_to_the_login_page(world):
    (session,) = _clients(world.owner_approver, api=False)
    patterns = {r: p for r, p in patterns_with_kwargs().items() if r.startswith(ADMIN_PREFIX)}
    assert len(patterns) > 50
    for route, pattern in sorted(patterns.items()):
        kwargs = {name: "orders" if name == "app_label" else "1" for name in pattern.pattern.regex.groupindex}
        if pattern.name is None:  # the catch-all: any address under /admin/
            address = "/admin/orders/order/1/anything/"
        else:
            try:
                address = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            except NoReverseMatch:
                address = reverse(f"admin:{pattern.name}", kwargs={**kwargs, "app_label": "auth"})
        response = session.get(address)
        assert response.status_code == 302, (route, address, response.status_code)
        assert response["Location"].startswith("/admin/login/"), (address, response["Location"])


def test_the_buyer_api_refuses_the_erp_token_for_every_address(world):
    """The ERP has no company: its token is refused by role on every buyer address, object or not."""
    from customers.services import create_integration_user

    erp = APIClient()
    erp.credentials(HTTP_AUTHORIZATION=f"Bearer {create_integration_user(name='Sweep ERP').raw}")
    routes = sorted(route for route, _ in _walk(get_resolver()) if route.startswith("api/v1/store/"))
    assert len(routes) >= 14
    for route in routes:
        sweep = SWEEP.get(route)
        address = _address(route, world, sweep.kwargs) if sweep else "/" + route
        for method in ("GET", "PUT", "POST", "DELETE"):
            response = _send(erp, method, address, {}, api=True)
            assert response.status_code in (403, 405), (method, address, response.status_code)
            assert response.status_code == 405 or response.json()["code"]
