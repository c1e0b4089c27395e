"""Stored rules: load_rules / dump_rules, admin form, change history, the one-query selector."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pricing_rules.models import Rule, RuleChange
from pricing_rules.selectors import list_rules
from tests import factories
from tests.pricing_rules.contract_example import CONTRACT_EXAMPLE

pytestmark = pytest.mark.django_db

CONTRACT_FILE = CONTRACT_EXAMPLE


def _write(tmp_path, data, name="rules.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _dump() -> dict:
    out = StringIO()
    call_command("dump_rules", stdout=out)
    return json.loads(out.getvalue())


def test_load_then_dump_round_trips_the_contract_file_exactly(tmp_path):
    out = StringIO()
    call_command("load_rules", _write(tmp_path, CONTRACT_FILE), stdout=out)
    assert "5 created" in out.getvalue()
    assert _dump() == CONTRACT_FILE
    assert RuleChange.objects.filter(action="created", source="load_rules").count() == 5


def test_load_replaces_all_rules_and_records_only_real_changes(tmp_path):
    call_command("load_rules", _write(tmp_path, CONTRACT_FILE), stdout=StringIO())
    changed = {
        "rules": [
            dict(CONTRACT_FILE["rules"][0], fee="700"),
            CONTRACT_FILE["rules"][1],
            {
                "code": "max-100",
                "kind": "maximum_quantity",
                "quantity": 100,
                "priority": 3,
                "valid_from": "2026-12-01",
                "valid_to": "2027-03-31",
                "active": False,
            },
        ]
    }
    out = StringIO()
    call_command("load_rules", _write(tmp_path, changed, "v2.json"), stdout=out)
    assert "1 created, 1 updated, 3 deleted, 1 unchanged" in out.getvalue()
    assert _dump() == changed
    update = RuleChange.objects.get(rule_code="small-order-fee", action="updated")
    assert (update.before["fee"], update.after["fee"]) == ("500", "700")
    assert RuleChange.objects.filter(action="deleted").count() == 3


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ({"rules": [{"code": "x", "kind": "discount"}]}, "unknown kind"),
        ({"rules": [{"code": "x", "kind": "minimum_quantity", "quantity": -5}]}, "quantity"),
        ({"rules": [{"code": "x", "kind": "small_order_fee", "below": "10000", "fee": "5.5"}]}, "whole yen"),
        (
            {
                "rules": [
                    {"code": "x", "kind": "minimum_order_amount", "amount": "3000", "scope": {"regions": []}}
                ]
            },
            "scope",
        ),
        ({"rules": [{"code": "a b", "kind": "minimum_order_amount", "amount": "1"}]}, "code"),
        (
            {
                "rules": [
                    {"code": "x", "kind": "minimum_order_amount", "amount": "1"},
                    {"code": "x", "kind": "minimum_order_amount", "amount": "2"},
                ]
            },
            "duplicate",
        ),
        (
            {
                "rules": [
                    {"code": "x", "kind": "minimum_order_amount", "amount": "1", "valid_from": "2026-13-01"}
                ]
            },
            "valid_from",
        ),
    ],
)
def test_bad_rules_file_is_one_clear_error_and_changes_nothing(tmp_path, content, fragment):
    call_command("load_rules", _write(tmp_path, CONTRACT_FILE), stdout=StringIO())
    before = _dump()
    history = RuleChange.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_rules", _write(tmp_path, content, "bad.json"), stdout=StringIO())
    message = str(excinfo.value)
    assert fragment in message and "\n" not in message
    assert _dump() == before and RuleChange.objects.count() == history


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_rules", str(tmp_path / "nope.json"))


def test_load_rules_exits_non_zero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys

    bad = _write(tmp_path, {"rules": [{"code": "x", "kind": "nope"}]})
    result = subprocess.run(
        [sys.executable, "manage.py", "load_rules", bad],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "unknown kind" in result.stderr and result.stderr.strip().count("\n") == 0


def test_selector_reads_rules_once_per_change_and_never_serves_a_stale_rule(
    tmp_path, django_assert_num_queries
):
    from datetime import date

    call_command("load_rules", _write(tmp_path, CONTRACT_FILE), stdout=StringIO())
    list_rules()  # cached now
    # A bulk UPDATE that bypasses the services still bumps the version (the trigger), in its transaction.
    Rule.objects.filter(code="min-amount").update(active=False)
    with django_assert_num_queries(2):  # the version, then the changed rules
        rules = list_rules(on=date(2026, 11, 26))
    assert [r.code for r in rules] == ["small-order-fee", "moq-bolts", "case-units", "ship-hokkaido"]
    with django_assert_num_queries(1):  # unchanged: the version only
        assert list_rules(on=date(2026, 11, 26)) == rules


def _admin_post(client, url, **fields):
    data = {
        "code": "",
        "kind": "",
        "quantity": "",
        "amount": "",
        "below": "",
        "fee": "",
        "free_from": "",
        "tax_rate": "10",
        "valid_from": "",
        "valid_to": "",
        "priority": "0",
        "description": "",
        "active": "on",
    }
    data.update(fields)
    return client.post(url, data)


def test_admin_validates_through_the_engine_and_keeps_history(client):
    staff = factories.make_staff()
    client.force_login(staff)
    add_url = reverse("admin:pricing_rules_rule_add")
    bad = _admin_post(client, add_url, code="moq", kind="minimum_quantity")
    assert bad.status_code == 200 and "requires &#x27;quantity&#x27;" in bad.content.decode()
    factories.make_category(code="BOLT")
    # Scope is chosen from what exists (issue 17): an unknown category is refused.
    bad_scope = _admin_post(
        client, add_url, code="moq", kind="minimum_quantity", quantity="5", scope_categories=["NUT"]
    )
    assert bad_scope.status_code == 200 and "errorlist" in bad_scope.content.decode()
    assert not Rule.objects.exists()
    ok = _admin_post(
        client, add_url, code="moq", kind="minimum_quantity", quantity="5", scope_categories=["BOLT"]
    )
    assert ok.status_code == 302
    rule = Rule.objects.get(code="moq")
    change_url = reverse("admin:pricing_rules_rule_change", args=[rule.pk])
    assert (
        _admin_post(
            client,
            change_url,
            code="moq",
            kind="minimum_quantity",
            quantity="10",
            scope_categories=["BOLT"],
        ).status_code
        == 302
    )
    client.post(reverse("admin:pricing_rules_rule_delete", args=[rule.pk]), {"post": "yes"})
    history = list(RuleChange.objects.order_by("id").values_list("action", "changed_by", "source"))
    assert history == [
        ("created", staff.pk, "admin"),
        ("updated", staff.pk, "admin"),
        ("deleted", staff.pk, "admin"),
    ]
    updated = RuleChange.objects.get(action="updated")
    assert (updated.before["quantity"], updated.after["quantity"]) == (5, 10)
    assert RuleChange.objects.get(action="deleted").before["scope"] == {"categories": ["BOLT"]}


def test_one_yen_filter_for_every_template():
    from django.template import Context, Template

    page = Template("{% load money_tags %}{{ a|yen }}|{{ b|yen }}|{{ c|yen }}|{{ d|yen }}")
    rendered = page.render(Context({"a": Decimal("1234"), "b": Decimal("0.85"), "c": None, "d": ""}))
    assert rendered == "¥1,234|¥0.85||"
