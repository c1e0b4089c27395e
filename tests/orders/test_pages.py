"""Storefront pages: add to cart, steppers, quick order, templates, checkout, history, staff proxy orders."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.models import CartLine, Order, OrderTemplate
from orders.services.quick_order import parse_lines
from tests import factories
from tests.orders.builders import fill_cart, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def drink():
    make_rule(
        code="case-units", kind="order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]}
    )
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    return factories.make_product(
        sku="DRI-1", base_price="150", case_quantity=12, category=factories.make_category(code="DRINK")
    )


def test_cart_add_form_redirects_back_with_a_message(buyer_client, buyer, drink):
    response = buyer_client.post(
        reverse("orders:cart_add"),
        {"sku": "DRI-1", "quantity": "10"},
        HTTP_REFERER="http://testserver/products/DRI-1/",
    )
    assert response.status_code == 302 and response["Location"] == "http://testserver/products/DRI-1/"
    assert CartLine.objects.get(cart__buyer=buyer).quantity == 10
    page = buyer_client.get(reverse("orders:cart")).content.decode()
    assert "カートに追加しました" in page
    assert "12個単位でご注文ください (現在 10個)" in page
    assert "あと¥8,500のご注文で小口手数料¥500が不要になります" in page


def test_cart_add_refuses_bad_input_and_external_redirects(buyer_client, buyer, drink):
    for data in (
        {"sku": "DRI-1", "quantity": "-3"},
        {"sku": "DRI-1", "quantity": "1.5"},
        {"sku": "NOPE", "quantity": "1"},
        {"sku": "DRI-1", "quantity": "0"},
    ):
        response = buyer_client.post(reverse("orders:cart_add"), data, HTTP_REFERER="https://evil.example/")
        assert response["Location"] == reverse("orders:cart")
    assert not CartLine.objects.exists()


def test_cart_add_htmx_returns_a_fragment(buyer_client, drink):
    response = buyer_client.post(
        reverse("orders:cart_add"), {"sku": "DRI-1", "quantity": "12"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "cart-changed"
    assert 'role="status"' in response.content.decode()


def test_stepper_moves_in_the_allowed_multiple(buyer_client, buyer, drink):
    fill_cart(buyer, (drink, 10))
    page = buyer_client.get(reverse("orders:cart")).content.decode()
    assert 'name="set" value="12"' in page  # + goes to the next valid quantity
    assert "ご注文は12個以上、12個単位で" in page  # the limits, as the product page words them
    response = buyer_client.post(
        reverse("orders:cart_line", args=["DRI-1"]), {"quantity": "10", "set": "24"}, HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert 'value="36"' in fragment and 'value="12"' in fragment  # + and − from 24
    assert "単位でご注文ください" not in fragment
    buyer_client.post(reverse("orders:cart_line", args=["DRI-1"]), {"remove": "1"})
    assert not CartLine.objects.exists()


def test_quick_order_adds_good_lines_and_lists_bad_ones_with_line_numbers(buyer_client, buyer, drink):
    bolt = factories.make_product(sku="BOL-1")
    factories.make_product(sku="OLD-1", active=False)
    text = "DRI-1 24\nBOL-1\t100\n\nNOPE 5\nBOL-1 -2\nOLD-1 3\nBOL-1 abc\nbol-1 10\nDRI-1 9999999"
    response = buyer_client.post(reverse("orders:quick_order"), {"lines": text})
    page = response.content.decode()
    for line_no in (4, 5, 6, 7, 9):
        assert f"{line_no}行目" in page
    assert "品番 NOPE の商品が見つかりません" in page
    lines = {line.product.sku: line.quantity for line in CartLine.objects.filter(cart__buyer=buyer)}
    assert lines == {"DRI-1": 24, "BOL-1": 110}
    assert bolt


def test_quick_order_csv_upload_in_shift_jis(buyer_client, buyer, drink):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "品番,数量\nDRI-1,12\nXXX,1\n".encode("cp932")
    response = buyer_client.post(reverse("orders:quick_order"), {"file": SimpleUploadedFile("o.csv", data)})
    assert "3行目" in response.content.decode()
    assert CartLine.objects.get(cart__buyer=buyer).quantity == 12


def test_parse_lines_without_database():
    entries, errors = parse_lines(
        [(1, "A 1", ["A", "1"]), (2, "B", ["B"]), (3, "C ０１２", ["C", "０１２"]), (4, "D 0", ["D", "0"])]
    )
    assert entries == [(1, "A", 1), (3, "C", 12)]
    assert [e.line_no for e in errors] == [2, 4]


def test_templates_save_and_add_back(buyer_client, buyer, drink):
    fill_cart(buyer, (drink, 24))
    buyer_client.post(reverse("orders:templates"), {"name": "毎週の定番"})
    template = OrderTemplate.objects.get(customer=buyer.customer, name="毎週の定番")
    CartLine.objects.all().delete()
    colleague = factories.make_buyer(customer=buyer.customer)
    buyer_client.force_login(colleague)
    assert "毎週の定番" in buyer_client.get(reverse("orders:templates")).content.decode()
    buyer_client.post(reverse("orders:template_add", args=[template.pk]))
    assert CartLine.objects.get(cart__buyer=colleague).quantity == 24
    buyer_client.force_login(factories.make_buyer())
    assert buyer_client.post(reverse("orders:template_add", args=[template.pk])).status_code == 404


def test_checkout_page_places_order_and_shows_confirmation_and_history(buyer_client, buyer, drink):
    fill_cart(buyer, (drink, 24))
    page = buyer_client.get(reverse("orders:checkout"))
    key = page.context["form"].initial["idempotency_key"]
    data = {
        "idempotency_key": key,
        "po_number": "PO-1",
        "note": "",
        "ship_to": "",
        "requested_delivery_date": "",
    }
    response = buyer_client.post(reverse("orders:checkout"), data)
    order = Order.objects.get()
    assert response["Location"] == reverse("orders:placed", args=[order.number])
    assert order.number in buyer_client.get(response["Location"]).content.decode()
    again = buyer_client.post(reverse("orders:checkout"), data)  # double submit of the same form
    assert Order.objects.count() == 1 and again.status_code == 302
    history = buyer_client.get(reverse("orders:history")).content.decode()
    assert order.number in history
    detail = buyer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "ご注文受付" in detail and "PO-1" in detail
    buyer_client.post(reverse("orders:reorder", args=[order.number]))
    assert CartLine.objects.get(cart__buyer=buyer).quantity == 24
    buyer_client.force_login(factories.make_buyer())
    assert buyer_client.get(reverse("orders:detail", args=[order.number])).status_code == 404
    assert order.number not in buyer_client.get(reverse("orders:history")).content.decode()


def test_checkout_page_sends_violations_back_to_the_cart(buyer_client, buyer, drink):
    fill_cart(buyer, (drink, 10))
    response = buyer_client.post(reverse("orders:checkout"), {"idempotency_key": "k"})
    assert response["Location"] == reverse("orders:cart") and not Order.objects.exists()


def test_staff_proxy_order_uses_the_same_rules_and_records_channel_and_keyer(client, drink):
    staff = factories.make_staff()
    customer = factories.make_customer(code="C-100")
    factories.make_buyer(customer=customer)
    client.force_login(staff)
    url = reverse("orders:proxy")
    base = {"customer": "C-100", "channel": "fax", "idempotency_key": "fax-1", "po_number": "", "note": ""}
    preview = client.post(url, {**base, "lines": "DRI-1 10", "preview": "1"})
    assert "12個単位でご注文ください" in preview.content.decode()
    refused = client.post(url, {**base, "lines": "DRI-1 10", "place": "1"})
    assert refused.status_code == 200 and not Order.objects.exists()
    placed = client.post(url, {**base, "lines": "DRI-1 24", "place": "1"})
    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.channel, order.keyed_by, order.placed_by, order.customer) == ("fax", staff, None, customer)
    assert [f.kind for f in order.fees.all()] == ["small_order_fee"]
    client.post(url, {**base, "lines": "DRI-1 24", "place": "1"})
    assert Order.objects.count() == 1


def test_staff_key_in_phone_orders_for_a_customer_without_web_ordering_whose_buyers_cannot(client, drink):
    customer = factories.make_customer(code="C-PHONE", ec_enabled=False)
    buyer = factories.make_buyer(customer=customer)
    fill_cart(buyer, (drink, 24))
    client.force_login(buyer)
    client.post(reverse("orders:checkout"), {"idempotency_key": "web-1"})
    assert not Order.objects.exists()  # the web channel stays closed (ec_disabled)
    client.force_login(factories.make_staff())
    base = {
        "customer": "C-PHONE",
        "channel": "phone",
        "idempotency_key": "tel-1",
        "po_number": "",
        "note": "",
    }
    preview = client.post(reverse("orders:proxy"), {**base, "lines": "DRI-1 24", "preview": "1"})
    assert "オンライン注文をご利用いただけません" not in preview.content.decode()
    placed = client.post(reverse("orders:proxy"), {**base, "lines": "DRI-1 24", "place": "1"})
    assert placed.status_code == 302
    assert Order.objects.get().channel == "phone"


def test_proxy_screen_is_staff_only(buyer_client):
    response = buyer_client.get(reverse("orders:proxy"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_quick_order_and_proxy_order_read_the_same_lines(client, buyer_client, buyer):
    """`BOLT-1,10` (comma, as pasted from a spreadsheet) works in both screens."""
    factories.make_product(sku="BOLT-1", base_price="100")
    customer = factories.make_customer(code="C-200")
    buyer_client.post(reverse("orders:quick_order"), {"lines": "BOLT-1,10"})
    assert CartLine.objects.get(cart__buyer=buyer).quantity == 10

    client.force_login(factories.make_staff())
    base = {"customer": "C-200", "channel": "phone", "idempotency_key": "tel-1", "po_number": "", "note": ""}
    preview = client.post(reverse("orders:proxy"), {**base, "lines": "BOLT-1,10\nBOLT-1\t5", "preview": "1"})
    assert not preview.context["line_errors"]
    assert [(line.sku, line.quantity) for line in preview.context["evaluation"].lines] == [("BOLT-1", 15)]
    placed = client.post(reverse("orders:proxy"), {**base, "lines": "BOLT-1,10", "place": "1"})
    assert placed.status_code == 302
    assert Order.objects.get(customer=customer).lines.get().quantity == 10


def test_proxy_order_names_the_unknown_customer_and_the_bad_line(client):
    factories.make_customer(code="C-300")
    client.force_login(factories.make_staff())
    base = {"channel": "fax", "idempotency_key": "fax-9", "po_number": "", "note": "", "preview": "1"}
    unknown = client.post(reverse("orders:proxy"), {**base, "customer": "C-999", "lines": "X 1"})
    assert unknown.context["form"].errors["customer"]
    bad = client.post(reverse("orders:proxy"), {**base, "customer": "C-300", "lines": "NOPE,2\nBOLT"})
    assert [e.line_no for e in bad.context["line_errors"]] == [1, 2]
    assert "evaluation" not in bad.context and not Order.objects.exists()
