"""CSV import (preview, per-row errors, confirm) and formula-safe export in admin via django-import-export."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalog.models import Price, Product
from customers import roles
from customers.models import Customer, User
from tests import factories

pytestmark = pytest.mark.django_db


def _upload(client, url: str, text: str):
    page = client.get(url)
    assert page.status_code == 200
    fmt = re.search(r'<option value="(\d+)"[^>]*>csv', page.content.decode(), re.I)
    data = {"import_file": SimpleUploadedFile("data.csv", text.encode("utf-8-sig"), content_type="text/csv")}
    data["format"] = fmt.group(1) if fmt else "0"
    return client.post(url, data)


def _confirm(client, url: str, preview):
    form = preview.context["confirm_form"]
    return client.post(url.replace("/import/", "/process_import/"), form.initial)


def test_products_import_shows_a_preview_with_row_errors_and_writes_only_on_confirm(admin_client):
    factories.make_category(code="BOLT")
    url = "/admin/catalog/product/import/"
    bad = _upload(
        admin_client,
        url,
        "sku,name,category,unit,case_quantity,tax_rate,base_price,active\r\n"
        "BOLT-M8,六角ボルト M8,BOLT,個,100,10,12.5,1\r\n"
        "BAD SKU,スペース入り,BOLT,個,1,10,10,1\r\n",
    )
    html = bad.content.decode()
    assert bad.status_code == 200
    assert re.search(r"行番号: 2\s*-\s*品番に空白", re.sub(r"<[^>]+>|\s+", " ", html))  # the row and why
    assert not Product.objects.exists()  # errors: nothing written

    preview = _upload(
        admin_client,
        url,
        "sku,name,category,unit,case_quantity,tax_rate,base_price,active\r\n"
        "ＢＯＬＴ－Ｍ８,六角ボルト M8,BOLT,個,100,10,12.5,1\r\n",  # full-width: normalised to BOLT-M8
    )
    assert preview.status_code == 200 and "confirm_form" in preview.context
    assert not Product.objects.exists()  # a preview writes nothing
    done = _confirm(admin_client, url, preview)
    assert done.status_code == 302
    product = Product.objects.get()
    assert (product.sku, product.base_price, product.category.code) == ("BOLT-M8", 12.5, "BOLT")
    assert "六角ボルト" in product.search_text


def test_exports_neutralise_formulas(admin_client):
    factories.make_customer(code="C1", name='=HYPERLINK("http://evil")')
    form = admin_client.get("/admin/customers/customer/export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.__class__.__name__ == "BooleanField"}
    response = admin_client.post(
        "/admin/customers/customer/export/", {**data, "format": "0", "resource": "0"}
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_only_rules_managers_import_prices(client):
    call_command("sync_staff_roles")
    desk = factories.make_staff(superuser=False)
    desk.groups.add(Group.objects.get(name=roles.ORDER_DESK))
    client.force_login(User.objects.get(pk=desk.pk))
    assert client.get("/admin/catalog/price/import/").status_code == 403
    manager = factories.make_staff(superuser=False)
    manager.groups.add(Group.objects.get(name=roles.RULES_MANAGER))
    client.force_login(User.objects.get(pk=manager.pk))
    product = factories.make_product(sku="TEA-1")
    customer = factories.make_customer(code="C9")
    preview = _upload(
        client, "/admin/catalog/price/import/",
        "sku,customer_code,price_group,min_quantity,unit_price,valid_from,valid_to\r\nTEA-1,C9,,1,95,,\r\n",
    )  # fmt: skip
    assert _confirm(client, "/admin/catalog/price/import/", preview).status_code == 302
    price = Price.objects.get(product=product, customer=customer)
    assert price.unit_price == 95
    assert Customer.objects.filter(code="C9").exists()
