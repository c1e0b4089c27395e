"""Invoice and delivery-slip PDFs (text extracted), the ERP and store invoice APIs, tenancy."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from billing import services
from billing.checks import check_invoice_issuer
from billing.models import Invoice
from tests import factories
from tests.billing.builders import at, billing_customer, order_for, product
from tests.billing.conftest import ISSUER_NUMBER

pytestmark = pytest.mark.django_db

NOV_30 = date(2026, 11, 30)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _invoice(customer=None) -> Invoice:
    customer = customer or billing_customer(closing_day=31)
    tea = product("112", tax_rate=8)
    tea.name = "緑茶ペットボトル"
    tea.save()
    bolt = product("1000")
    for day in (2, 3, 4):
        order_for(customer, shipped_on=date(2026, 11, day), items=[(tea, 1), (bolt, 2)], fee="500")
    (invoice,) = services.close_invoices(run_date=NOV_30, now=at(NOV_30)).created
    return invoice


def test_invoice_pdf_has_what_a_qualified_invoice_needs(client):
    invoice = _invoice()
    buyer = factories.make_buyer(customer=invoice.customer)
    client.force_login(buyer)
    response = client.get(f"/invoices/{invoice.number}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "請求書",
        "御中",
        invoice.customer.name,
        "株式会社テスト卸",
        f"登録番号: {ISSUER_NUMBER}",
        "締日",
        "お支払期限",
        "前回御請求額",
        "今回御請求額",
        "10%対象",
        "8%対象",
        "緑茶ペットボトル ※",  # the reduced-rate mark on the 8 % item
        "※は軽減税率（8%）対象品目です",
        "¥336",  # 8 %: base 3 × 112, tax 26 (once per invoice) vs 24 per order
        "¥26",
        "差額 ¥2",
        "¥7,500",  # 10 %: 3 × (2,000 + 500 fee), tax ¥750
        "¥750",
    ):
        assert expected in text, expected


def test_delivery_slip_pdf(client):
    customer = billing_customer()
    tea = product("112", tax_rate=8)
    order = order_for(customer, shipped_on=date(2026, 11, 2), items=[(tea, 10)])
    client.force_login(factories.make_buyer(customer=customer))
    response = client.get(f"/invoices/slips/{order.number}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "納品書" in text and order.number in text and "※" in text and ISSUER_NUMBER in text
    assert "¥1,120" in text and "¥89" in text  # 8 % base and its tax (89.6 → 89)
    api = client.get(f"/api/v1/store/orders/{order.number}/delivery-slip.pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")


def test_another_companys_invoice_and_slip_are_404(client):
    invoice = _invoice()
    order = invoice.invoice_orders.first().order
    client.force_login(factories.make_buyer())  # company B
    for path in (
        f"/invoices/{invoice.number}.pdf",
        f"/invoices/slips/{order.number}.pdf",
        f"/api/v1/store/invoices/{invoice.number}",
        f"/api/v1/store/invoices/{invoice.number}.pdf",
        f"/api/v1/store/orders/{order.number}/delivery-slip.pdf",
    ):
        assert client.get(path).status_code == 404, path
    listing = client.get("/api/v1/store/invoices").json()
    assert listing["results"] == [] and listing["count"] == 0
    assert invoice.number not in client.get("/invoices/").content.decode()


def test_store_api_lists_and_shows_own_invoices(client):
    invoice = _invoice()
    client.force_login(factories.make_buyer(customer=invoice.customer))
    listing = client.get("/api/v1/store/invoices").json()
    assert [row["number"] for row in listing["results"]] == [invoice.number]
    assert listing["results"][0]["pdf"].endswith(f"/api/v1/store/invoices/{invoice.number}.pdf")
    detail = client.get(f"/api/v1/store/invoices/{invoice.number}").json()
    assert detail["issuer"]["registration_number"] == ISSUER_NUMBER
    rates = {row["rate"]: row for row in detail["tax_rates"]}
    assert (rates["8"]["taxable"], rates["8"]["tax"], rates["8"]["difference"]) == ("336", "26", "2")
    assert len(detail["orders"]) == 3
    pdf = client.get(f"/api/v1/store/invoices/{invoice.number}.pdf", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    page = client.get("/invoices/")
    assert page.status_code == 200 and invoice.number in page.content.decode()


def test_erp_pulls_invoices_with_a_cursor_oldest_first(erp_api):
    invoices = [_invoice(billing_customer(closing_day=31)) for _ in range(1)]
    for _ in range(2):
        customer = billing_customer(closing_day=31)
        order_for(customer, shipped_on=date(2026, 11, 2))
        invoices += services.close_invoices(run_date=NOV_30, now=at(NOV_30)).created
    first = erp_api.get("/api/v1/erp/invoices?page_size=2")
    assert first.status_code == 200, first.content
    body = first.json()
    assert [r["number"] for r in body["results"]] == [i.number for i in invoices[:2]]
    assert body["previous"] is None and body["next"]
    second = erp_api.get(body["next"]).json()
    assert [r["number"] for r in second["results"]] == [invoices[2].number] and second["next"] is None
    one = body["results"][0]
    assert {"orders", "tax_rates", "pdf", "issuer", "recipient", "total_due", "due_date"} <= set(one)
    assert one["orders"][0]["number"].startswith("B")
    since = erp_api.get("/api/v1/erp/invoices", {"updated_since": "2999-01-01T00:00:00+09:00"}).json()
    assert since["results"] == []
    assert erp_api.get("/api/v1/erp/invoices?updated_since=yesterday").status_code == 400
    detail = erp_api.get(f"/api/v1/erp/invoices/{invoices[0].number}")
    assert detail.status_code == 200 and detail.json()["number"] == invoices[0].number
    pdf = erp_api.get(detail.json()["pdf"])
    assert pdf.status_code == 200 and "請求書" in pdf_text(pdf.content)
    assert erp_api.get("/api/v1/erp/invoices/NOPE").status_code == 404


def test_buyers_cannot_pull_erp_invoices(client):
    client.force_login(factories.make_buyer())
    assert client.get("/api/v1/erp/invoices").status_code in (401, 403)


def test_staff_download_invoices_and_slips_in_admin(staff_client):
    invoice = _invoice()
    order = invoice.invoice_orders.first().order
    assert staff_client.get(f"/admin/billing/invoice/{invoice.pk}/change/").status_code == 200
    pdf = staff_client.get(f"/admin/billing/invoice/{invoice.number}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    slip = staff_client.get(f"/admin/billing/invoice/slips/{order.number}/pdf/")
    assert slip.status_code == 200 and "納品書" in pdf_text(slip.content)


def test_schema_types_every_invoice_response(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/store/invoices", "/api/v1/store/invoices/{number}", "/api/v1/erp/invoices"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert "$ref" in content["schema"], path
    pdf = schema["paths"]["/api/v1/store/invoices/{number}.pdf"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf
    payment = schema["paths"]["/api/v1/erp/customers/{code}/payments"]["post"]["responses"]
    assert {"200", "201", "409"} <= set(payment)


def test_deploy_check_warns_without_a_valid_registration_number(settings):
    assert check_invoice_issuer() == []
    settings.SHOP_INVOICE_REGISTRATION_NUMBER = ""
    assert [m.id for m in check_invoice_issuer()] == ["billing.W001"]
    settings.SHOP_INVOICE_REGISTRATION_NUMBER = "T7000012050003"
    assert [m.id for m in check_invoice_issuer()] == ["billing.W002"]


def test_sample_invoice_command_renders_and_keeps_nothing(tmp_path, capsys):
    customer = billing_customer(closing_day=31)
    order_for(customer, shipped_on=date(2026, 11, 2), items=[(product("112", tax_rate=8), 3)])
    output = tmp_path / "sample.pdf"
    call_command("render_sample_invoice", "--output", str(output))
    assert "請求書" in pdf_text(output.read_bytes())
    assert not Invoice.objects.exists()
