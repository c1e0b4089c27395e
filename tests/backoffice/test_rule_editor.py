"""Trading rules edited with real widgets: scope from what exists, unknown values refused, readable list and history."""

from __future__ import annotations

import pytest

from pricing_rules.models import Rule, RuleChange
from tests import factories
from tests.orders.builders import make_rule

pytestmark = pytest.mark.django_db


def _post(rule: Rule, **changes) -> dict:
    data = {
        "code": rule.code,
        "kind": rule.kind,
        "description": "",
        "quantity": "",
        "amount": "",
        "below": "",
        "fee": "",
        "free_from": "",
        "tax_rate": "10",
        "valid_from": "",
        "valid_to": "",
        "active": "on",
        "priority": "0",
    }
    for name in ["below", "fee", "free_from", "amount"]:
        if getattr(rule, name) is not None:
            data[name] = str(getattr(rule, name))
    data.update(changes)
    return data


def test_a_stored_unknown_prefecture_is_shown_and_refused_until_fixed(admin_client):
    rule = make_rule(
        code="ship-tokyo", kind="shipping_fee", fee="800", tax_rate="10", scope={"prefectures": ["東京"]}
    )
    url = f"/admin/pricing_rules/rule/{rule.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "東京 (不明)" in page
    response = admin_client.post(url, _post(rule, scope_prefectures=["東京"]))
    assert response.status_code == 200
    assert "都道府県が不明です: 東京" in response.content.decode()
    assert Rule.objects.get(pk=rule.pk).scope == {"prefectures": ["東京"]}  # nothing changed

    response = admin_client.post(url, _post(rule, scope_prefectures=["東京都", "神奈川県"]))
    assert response.status_code == 302
    assert Rule.objects.get(pk=rule.pk).scope == {"prefectures": ["東京都", "神奈川県"]}


def test_scope_offers_what_exists_and_refuses_the_rest(admin_client):
    group = factories.make_price_group(code="GOLD")
    bolt_category = factories.make_category(code="BOLT")
    product = factories.make_product(sku="BOLT-M8")
    customer = factories.make_customer(code="C777")
    rule = make_rule(code="moq", kind="minimum_quantity", quantity=10)
    url = f"/admin/pricing_rules/rule/{rule.pk}/change/"
    ok = _post(
        rule,
        quantity="12",
        scope_price_groups=["GOLD"],
        scope_categories=["BOLT"],
        scope_customers=[str(customer.pk)],
        scope_skus=[str(product.pk)],
    )
    assert admin_client.post(url, ok).status_code == 302
    saved = Rule.objects.get(pk=rule.pk)
    assert saved.quantity == 12
    assert saved.scope == {
        "price_groups": ["GOLD"],
        "categories": ["BOLT"],
        "customers": ["C777"],
        "skus": ["BOLT-M8"],
    }
    assert group.code and bolt_category.code
    for field, bad in [
        ("scope_price_groups", ["SILVER"]),
        ("scope_categories", ["NUT"]),
        ("scope_skus", ["999999"]),
    ]:
        response = admin_client.post(url, {**ok, field: bad})
        assert response.status_code == 200, field
        assert "errorlist" in response.content.decode()
    assert Rule.objects.get(pk=rule.pk).scope == saved.scope


def test_fields_of_other_kinds_are_dropped(admin_client):
    rule = make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    url = f"/admin/pricing_rules/rule/{rule.pk}/change/"
    response = admin_client.post(url, _post(rule, quantity="5", amount="3000", fee="600"))
    assert response.status_code == 302
    saved = Rule.objects.get(pk=rule.pk)
    assert (saved.fee, saved.quantity, saved.amount) == (600, None, None)


def test_the_list_shows_condition_and_amount_in_one_line(admin_client):
    make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    make_rule(
        code="ship-north", kind="shipping_fee", fee="1500", free_from="30000", tax_rate="10",
        scope={"prefectures": ["北海道", "沖縄県"]},
    )  # fmt: skip
    make_rule(code="case-units", kind="order_multiple", use_case_quantity=True)
    page = admin_client.get("/admin/pricing_rules/rule/").content.decode()
    assert "¥10,000未満で¥500" in page
    assert "送料¥1,500（¥30,000以上で無料）" in page
    assert "都道府県: 北海道, 沖縄県" in page
    assert "ケース単位" in page


def test_history_shows_a_readable_diff(admin_client):
    rule = make_rule(code="small-order-fee", kind="small_order_fee", below="10000", fee="500", tax_rate="10")
    admin_client.post(
        f"/admin/pricing_rules/rule/{rule.pk}/change/", _post(rule, fee="700", scope_prefectures=["東京都"])
    )
    change = RuleChange.objects.filter(rule_code="small-order-fee", action="updated").get()
    listing = admin_client.get("/admin/pricing_rules/rulechange/").content.decode()
    assert "手数料" in listing
    page = admin_client.get(f"/admin/pricing_rules/rulechange/{change.pk}/change/").content.decode()
    assert "¥10,000未満で¥500" in page and "¥10,000未満で¥700" in page
    assert '<td class="before">¥500</td><td class="after">¥700</td>' in page
    assert '<td class="before">—</td><td class="after">東京都</td>' in page
