"""The rules-file format (contract section 6): parse, validate and dump, without Django."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pricing_rules.engine import Rule, RuleFormatError
from pricing_rules.rules_file import rule_from_dict, rule_to_dict, rules_from_dict, rules_to_dict
from tests.pricing_rules.contract_example import CONTRACT_EXAMPLE

D = Decimal
SMALL_FEE = Rule(code="small-order-fee", kind="small_order_fee", below=D("10000"), fee=D("500"), tax_rate=10)


def test_contract_example_round_trips_exactly() -> None:
    rules = rules_from_dict(copy.deepcopy(CONTRACT_EXAMPLE))
    assert rules[0] == SMALL_FEE
    assert rules[2].scope.categories == frozenset({"BOLT"})
    assert rules[4].free_from == D("30000")
    assert rules_to_dict(rules) == CONTRACT_EXAMPLE


def test_every_optional_field_round_trips() -> None:
    data = {
        "code": "c001-ship",
        "kind": "shipping_fee",
        "fee": "800",
        "tax_rate": "8",
        "scope": {
            "customers": ["C001"],
            "price_groups": ["A"],
            "prefectures": ["北海道"],
            "categories": ["BOLT"],
            "skus": ["X", "A"],
        },
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
        "active": False,
        "priority": -3,
        "description": "北海道向け特別送料",
    }
    rule = rule_from_dict(data)
    assert rule.valid_from == date(2026, 4, 1)
    assert rule.tax_rate == 8
    out = rule_to_dict(rule)
    assert out["scope"]["skus"] == ["A", "X"]  # sorted, so dumps diff well
    assert rule_from_dict(out) == rule


def test_from_dict_accepts_int_money_and_int_tax_rate() -> None:
    rule = rule_from_dict({"code": "f", "kind": "small_order_fee", "below": 10000, "fee": 500, "tax_rate": 8})
    assert (rule.below, rule.fee, rule.tax_rate) == (D("10000"), D("500"), 8)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "x", "kind": "discount"}, "unknown kind"),
        ({"kind": "minimum_quantity", "quantity": 5}, "code"),
        ({"code": "", "kind": "minimum_quantity", "quantity": 5}, "code"),
        ({"code": "x", "kind": "minimum_quantity"}, "requires 'quantity' or 'use_case_quantity'"),
        ({"code": "x", "kind": "minimum_order_amount"}, "requires 'amount'"),
        ({"code": "x", "kind": "small_order_fee", "fee": "500"}, "requires 'below'"),
        ({"code": "x", "kind": "small_order_fee", "below": "10000"}, "requires 'fee'"),
        ({"code": "x", "kind": "shipping_fee", "free_from": "30000"}, "requires 'fee'"),
        ({"code": "x", "kind": "minimum_quantity", "quantity": -5}, "positive integer"),
        ({"code": "x", "kind": "minimum_quantity", "quantity": 0}, "positive integer"),
        ({"code": "x", "kind": "minimum_quantity", "quantity": 2.5}, "integer"),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "-1"}, "negative"),
        ({"code": "x", "kind": "shipping_fee", "fee": "-100"}, "negative"),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "3000.001"}, "at most 2 decimals"),
        ({"code": "x", "kind": "minimum_order_amount", "amount": 3000.5}, "decimal string"),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "abc"}, "decimal number"),
        ({"code": "x", "kind": "shipping_fee", "fee": "500.50"}, "whole yen"),
        ({"code": "x", "kind": "shipping_fee", "fee": "500", "tax_rate": "5"}, "tax_rate"),
        (
            {"code": "x", "kind": "minimum_order_amount", "amount": "1", "valid_from": "2026-13-01"},
            "ISO date",
        ),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "1", "valid_to": "26/11/2026"}, "ISO date"),
        (
            {
                "code": "x",
                "kind": "minimum_order_amount",
                "amount": "1",
                "valid_from": "2026-12-01",
                "valid_to": "2026-11-30",
            },
            "before valid_from",
        ),
        (
            {"code": "x", "kind": "minimum_order_amount", "amount": "1", "scope": {"regions": ["関東"]}},
            "unknown scope key",
        ),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "1", "scope": {"skus": "BOLT-M6"}}, "list"),
        (
            {"code": "x", "kind": "minimum_order_amount", "amount": "1", "scope": ["BOLT"]},
            "scope must be an object",
        ),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "1", "amout": "2"}, "'amout'"),
        ({"code": "x", "kind": "minimum_quantity", "quantity": 5, "fee": "100"}, "'fee' not allowed"),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "1", "active": "yes"}, "true or false"),
        ({"code": "x", "kind": "minimum_order_amount", "amount": "1", "priority": "high"}, "priority"),
        ("not a rule", "object"),
    ],
)
def test_from_dict_rejects_bad_rules(data: Any, message: str) -> None:
    with pytest.raises(RuleFormatError, match=message) as excinfo:
        rule_from_dict(data)
    assert isinstance(excinfo.value, ValueError)
    if isinstance(data, dict) and data.get("code"):
        assert "'x'" in str(excinfo.value)  # the message names the rule


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, '"rules" list'),
        ({"rules": {}}, '"rules" list'),
        ({"rules": [], "version": 2}, "unknown top-level"),
        (
            {"rules": [CONTRACT_EXAMPLE["rules"][1], CONTRACT_EXAMPLE["rules"][1]]},
            r"rules\[1\]: duplicate rule code",
        ),
        (
            {"rules": [CONTRACT_EXAMPLE["rules"][1], {"code": "y", "kind": "nope"}]},
            r"rules\[1\]: rule 'y': unknown kind",
        ),
    ],
)
def test_rules_file_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleFormatError, match=message):
        rules_from_dict(data)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "minimum_quantity", "quantity": 5, "amount": D("100")},
        {
            "kind": "minimum_order_amount",
            "amount": D("1"),
            "valid_from": date(2026, 2, 1),
            "valid_to": date(2026, 1, 1),
        },
        {"kind": "small_order_fee", "below": D("1000"), "fee": 500},
        {"kind": "minimum_quantity", "quantity": True},
    ],
)
def test_rule_validates_when_built_directly(fields: dict[str, Any]) -> None:
    with pytest.raises(RuleFormatError):
        Rule(code="direct", **fields)
