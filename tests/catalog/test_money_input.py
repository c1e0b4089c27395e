"""One money rule for every input: the ERP API and the rules file read amounts with the same parser.

"12.500" is refused everywhere (many read it as twelve thousand five hundred); "12.5" and "12.50"
are twelve and a half. The refusal says why, in the caller's language, and writes nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from b2bshop.money import MoneyError, parse_money
from catalog.models import Product
from pricing_rules import rules_file

pytestmark = pytest.mark.django_db

BODY = {"name": "六角ボルト", "unit": "個", "tax_rate": "10", "active": True}


@pytest.mark.parametrize("text", ["12.5", "12.50", " 12.50 ", 12])
def test_erp_api_and_parser_accept_the_same_amounts(erp, text):
    response = erp.put("/api/v1/erp/products/BOLT-1", {**BODY, "base_price": text}, format="json")

    assert response.status_code == 201
    assert Product.objects.get(sku="BOLT-1").base_price == parse_money(text) == Decimal(str(text).strip())


@pytest.mark.parametrize("text", ["12.500", "0.850", "1,000", ".5", "+12", "12."])
def test_erp_api_and_parser_refuse_the_same_amounts(erp, text):
    with pytest.raises(MoneyError):
        parse_money(text)

    response = erp.put("/api/v1/erp/products/BOLT-1", {**BODY, "base_price": text}, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["base_price"]
    assert not Product.objects.filter(sku="BOLT-1").exists()


def test_three_written_decimals_are_refused_with_the_reason_in_japanese(erp):
    response = erp.put(
        "/api/v1/erp/products/BOLT-1",
        {**BODY, "base_price": "12.500"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )

    assert response.status_code == 400
    assert response.json()["details"]["base_price"] == ["小数点以下は2桁までにしてください。"]


def test_whole_yen_fields_refuse_written_decimals(erp):
    body = {
        "name": "株式会社テスト", "prefecture": "東京都", "postal_code": "100-0001", "address": "千代田区1-1",
        "closing_day": 20, "credit_limit": "500000.00",
    }  # fmt: skip

    response = erp.put("/api/v1/erp/customers/C1", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["credit_limit"]


def test_the_rules_file_uses_the_same_rule():
    document = {"rules": [{"code": "fee", "kind": "small_order_fee", "below": "10000", "fee": "500.000"}]}

    with pytest.raises(rules_file.RuleFormatError, match="fee"):
        rules_file.rules_from_dict(document)
