"""The pure trading-rules engine and its money helpers (the rules-file format: test_rules_file.py)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b2bshop.money import (
    format_yen,
    line_amount,
    money_str,
    parse_money,
    parse_unit_price,
    tax_for,
)
from pricing_rules.engine import (
    Buyer,
    Evaluation,
    Line,
    Product,
    Rule,
    Scope,
    Violation,
    evaluate,
    next_valid_quantity,
    previous_valid_quantity,
)

ON = date(2026, 11, 26)
D = Decimal


# --------------------------------------------------------------------------- builders


def make_product(sku: str = "BOLT-M6", **overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "sku": sku,
        "name": "六角ボルト M6",
        "unit": "個",
        "category_codes": ("BOLT", "FASTENER"),
        "tax_rate": 10,
    }
    fields.update(overrides)
    return Product(**fields)


def make_line(product: Product | None = None, quantity: int = 1, price: str = "100") -> Line:
    return Line(product=product or make_product(), quantity=quantity, unit_price=D(price))


def make_buyer(**overrides: Any) -> Buyer:
    fields: dict[str, Any] = {"customer_code": "C001", "price_group": "A", "prefecture": "東京都"}
    fields.update(overrides)
    return Buyer(**fields)


def make_rule(code: str, kind: str, **fields: Any) -> Rule:
    scope = fields.pop("scope", None)
    if isinstance(scope, dict):
        fields["scope"] = Scope(**{key: frozenset(value) for key, value in scope.items()})
    for name in ("amount", "below", "fee", "free_from"):
        if isinstance(fields.get(name), str):
            fields[name] = D(fields[name])
    return Rule(code=code, kind=kind, **fields)


def run(
    lines: list[Line], rules: list[Rule] | tuple[Rule, ...] = (), buyer: Buyer | None = None, on: date = ON
) -> Evaluation:
    return evaluate(lines=lines, buyer=buyer or make_buyer(), rules=rules, on=on)


def codes(evaluation: Evaluation) -> list[str]:
    return [v.code for v in evaluation.violations]


def only(evaluation: Evaluation, code: str) -> Violation:
    found = [v for v in evaluation.violations if v.code == code]
    assert len(found) == 1, evaluation.violations
    return found[0]


MOQ_50 = make_rule("moq-bolts", "minimum_quantity", quantity=50, scope={"categories": ["BOLT"]})


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        (1, "100", "100"),
        (3, "0.85", "2"),  # 2.55 → 2
        (100, "0.85", "85"),
        (7, "33.33", "233"),  # 233.31 → 233
        (12, "0.99", "11"),  # 11.88 → 11, never rounded up
        (5, "0", "0"),
    ],
)
def test_line_amount_rounds_down_to_whole_yen(quantity: int, price: str, expected: str) -> None:
    assert line_amount(quantity, D(price)) == D(expected)
    assert line_amount(quantity, D(price)).as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [("1000", 10, "100"), ("999", 8, "79"), ("85", 10, "8"), ("0", 8, "0"), ("12345", 10, "1234")],
)
def test_tax_for_rounds_down(base: str, rate: int, expected: str) -> None:
    assert tax_for(D(base), rate) == D(expected)


def test_money_helpers_refuse_floats() -> None:
    with pytest.raises(TypeError):
        line_amount(3, 0.85)  # type: ignore[arg-type]  # a float on purpose: it must be refused
    with pytest.raises(TypeError):
        tax_for(100.0, 10)  # type: ignore[arg-type]  # a float on purpose: it must be refused


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("2300", "¥2,300"),
        ("0", "¥0"),
        ("0.85", "¥0.85"),
        ("0.5", "¥0.50"),
        ("1234567", "¥1,234,567"),
        ("2300.00", "¥2,300"),
        ("-500", "-¥500"),
    ],
)
def test_format_yen(amount: str, expected: str) -> None:
    assert format_yen(D(amount)) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("100", "100"), ("0.85", "0.85"), (" 12.5 ", "12.5"), ("0", "0")]
)
def test_parse_unit_price_accepts_up_to_two_decimals(text: str, expected: str) -> None:
    assert parse_unit_price(text) == D(expected)


@pytest.mark.parametrize("text", ["1.234", "0.001", "-1", "abc", "", "1e3", "NaN", "1,000", "¥100", 1.5])
def test_parse_unit_price_rejects(text: Any) -> None:
    with pytest.raises(ValueError):
        parse_unit_price(text)


@pytest.mark.parametrize(("amount", "expected"), [("10000", "10000"), ("12.50", "12.50"), ("1E+3", "1000")])
def test_money_str_is_plain_decimal_text(amount: str, expected: str) -> None:
    assert money_str(D(amount)) == expected
    assert parse_money(money_str(D(amount))) == D(amount)


# --------------------------------------------------------------------------- line rules


def test_minimum_quantity_rule_reports_required_and_suggestion() -> None:
    result = run([make_line(quantity=10)], [MOQ_50])
    violation = only(result, "below_moq")
    assert violation.sku == "BOLT-M6"
    assert violation.required == 50
    assert violation.params["quantity"] == 10
    assert violation.params["unit"] == "個"
    assert violation.params["suggested"] == 50
    assert not result.can_checkout


def test_minimum_quantity_is_inclusive() -> None:
    result = run([make_line(quantity=50)], [MOQ_50])
    assert result.violations == ()
    assert result.can_checkout


@pytest.mark.parametrize(
    ("quantity", "ok", "suggested"), [(10, False, 12), (12, True, None), (25, False, 36)]
)
def test_order_multiple_rule(quantity: int, ok: bool, suggested: int | None) -> None:
    rule = make_rule("dozen", "order_multiple", quantity=12)
    result = run([make_line(quantity=quantity)], [rule])
    assert result.can_checkout is ok
    if not ok:
        violation = only(result, "not_multiple")
        assert violation.required == 12
        assert violation.params["multiple"] == 12
        assert violation.params["suggested"] == suggested


def test_order_multiple_with_case_quantity() -> None:
    drink = make_product("TEA-500", category_codes=("DRINK",), case_quantity=24, tax_rate=8)
    rule = make_rule("case-units", "order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]})
    result = run([make_line(drink, quantity=30)], [rule])
    violation = only(result, "not_multiple")
    assert violation.required == 24
    assert violation.params["suggested"] == 48
    assert run([make_line(drink, quantity=48)], [rule]).can_checkout


def test_use_case_quantity_with_quantity_counts_cases() -> None:
    drink = make_product("TEA-500", case_quantity=24)
    rule = make_rule("two-cases", "minimum_quantity", quantity=2, use_case_quantity=True)
    assert only(run([make_line(drink, quantity=24)], [rule]), "below_moq").required == 48
    assert run([make_line(drink, quantity=48)], [rule]).can_checkout


def test_maximum_quantity_rule() -> None:
    rule = make_rule("max-100", "maximum_quantity", quantity=100)
    violation = only(run([make_line(quantity=101)], [rule]), "above_max")
    assert violation.required == 100
    assert violation.params["suggested"] == 100
    assert run([make_line(quantity=100)], [rule]).can_checkout


def test_multiple_of_one_is_no_constraint() -> None:
    rule = make_rule("ones", "order_multiple", quantity=1)
    result = run([make_line(make_product(order_multiple=1), quantity=7)], [rule])
    assert result.can_checkout
    assert result.lines[0].multiple == 1


@pytest.mark.parametrize(
    ("product_moq", "rule_moq", "expected"), [(10, 50, 50), (60, 50, 60), (None, 50, 50), (7, None, 7)]
)
def test_strictest_minimum_wins(product_moq: int | None, rule_moq: int | None, expected: int) -> None:
    rules = [make_rule("moq", "minimum_quantity", quantity=rule_moq)] if rule_moq else []
    result = run([make_line(make_product(moq=product_moq), quantity=1)], rules)
    assert result.lines[0].min_quantity == expected
    assert only(result, "below_moq").required == expected


@pytest.mark.parametrize(
    ("product_fields", "rule_fields", "expected"),
    [
        ({"order_multiple": 4}, [{"quantity": 6}], 12),
        ({"order_multiple": 6}, [{"quantity": 3}], 6),
        ({"case_quantity": 12}, [{"use_case_quantity": True}, {"quantity": 8}], 24),
        ({"case_quantity": 10, "order_multiple": 4}, [{"use_case_quantity": True}], 20),
        ({}, [], 1),
    ],
)
def test_multiples_combine_by_lcm(
    product_fields: dict[str, Any], rule_fields: list[dict[str, Any]], expected: int
) -> None:
    rules = [make_rule(f"m{i}", "order_multiple", **fields) for i, fields in enumerate(rule_fields)]
    result = run([make_line(make_product(**product_fields), quantity=expected)], rules)
    assert result.lines[0].multiple == expected
    assert result.can_checkout


@pytest.mark.parametrize(
    ("product_max", "rule_max", "expected"), [(100, 50, 50), (30, 50, 30), (None, 50, 50)]
)
def test_strictest_maximum_wins(product_max: int | None, rule_max: int, expected: int) -> None:
    rule = make_rule("max", "maximum_quantity", quantity=rule_max)
    result = run([make_line(make_product(max_quantity=product_max), quantity=expected + 1)], [rule])
    assert result.lines[0].max_quantity == expected
    assert only(result, "above_max").required == expected


def test_below_moq_and_not_multiple_together_share_the_suggestion() -> None:
    product = make_product(moq=10, order_multiple=12)
    result = run([make_line(product, quantity=5)])
    assert codes(result) == ["below_moq", "not_multiple"]
    assert {v.params["suggested"] for v in result.violations} == {12}
    assert result.lines[0].smallest_valid_quantity == 12


def test_suggestion_falls_back_below_the_maximum() -> None:
    product = make_product(moq=10, order_multiple=12, max_quantity=20)
    result = run([make_line(product, quantity=25)])
    assert codes(result) == ["not_multiple", "above_max"]
    assert {v.params["suggested"] for v in result.violations} == {12}


def test_contradictory_constraints_suggest_nothing() -> None:
    product = make_product(moq=30, max_quantity=20)
    result = run([make_line(product, quantity=25)])
    assert codes(result) == ["below_moq", "above_max"]
    assert {v.params["suggested"] for v in result.violations} == {None}
    assert result.lines[0].smallest_valid_quantity is None


def test_priced_line_carries_effective_constraints_and_rule_codes() -> None:
    rules = [
        MOQ_50,
        make_rule("dozen", "order_multiple", quantity=12),
        make_rule("max", "maximum_quantity", quantity=600),
    ]
    priced = run([make_line(quantity=60, price="12.5")], rules).lines[0]
    assert (priced.min_quantity, priced.multiple, priced.max_quantity) == (50, 12, 600)
    assert priced.smallest_valid_quantity == 60
    assert priced.amount == D("750")
    assert priced.rule_codes == ("moq-bolts", "dozen", "max")


# --------------------------------------------------------------------------- scope


@pytest.mark.parametrize(
    ("scope", "applies"),
    [
        ({}, True),
        ({"customers": ["C001"]}, True),
        ({"customers": ["C999"]}, False),
        ({"price_groups": ["A", "B"]}, True),
        ({"price_groups": ["B"]}, False),
        ({"prefectures": ["東京都"]}, True),
        ({"prefectures": ["北海道", "沖縄県"]}, False),
        ({"categories": ["FASTENER"]}, True),  # an ancestor category matches
        ({"categories": ["DRINK"]}, False),
        ({"skus": ["BOLT-M6", "BOLT-M8"]}, True),
        ({"skus": ["BOLT-M8"]}, False),
        ({"customers": ["C001"], "prefectures": ["東京都"], "categories": ["BOLT"]}, True),  # AND: all match
        ({"customers": ["C001"], "prefectures": ["北海道"]}, False),  # AND: one misses
        ({"customers": ["C999", "C001"], "skus": ["X", "BOLT-M6"]}, True),  # OR within each
    ],
)
def test_scope_dimensions(scope: dict[str, list[str]], applies: bool) -> None:
    rule = make_rule("moq", "minimum_quantity", quantity=50, scope=scope)
    result = run([make_line(quantity=10)], [rule])
    assert ("below_moq" in codes(result)) is applies
    assert ("moq" in result.applied_rules) is applies


def test_price_group_scope_never_matches_a_buyer_without_group() -> None:
    rule = make_rule("moq", "minimum_quantity", quantity=50, scope={"price_groups": ["A"]})
    assert run([make_line(quantity=10)], [rule], buyer=make_buyer(price_group=None)).can_checkout


def test_line_scope_applies_per_line() -> None:
    drink = make_product("TEA-500", category_codes=("DRINK",))
    result = run([make_line(quantity=10), make_line(drink, quantity=10)], [MOQ_50])
    assert [(v.code, v.sku) for v in result.violations] == [("below_moq", "BOLT-M6")]


@pytest.mark.parametrize(("with_bolt", "charged"), [(True, True), (False, False)])
def test_order_rule_with_category_scope_applies_if_any_line_matches(with_bolt: bool, charged: bool) -> None:
    drink = make_product("TEA-500", category_codes=("DRINK",))
    lines = [make_line(drink, quantity=1)] + ([make_line(quantity=1)] if with_bolt else [])
    rule = make_rule("bolt-fee", "small_order_fee", below="10000", fee="500", scope={"categories": ["BOLT"]})
    assert bool(run(lines, [rule]).fees) is charged


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize(
    ("on", "applies"),
    [
        (date(2026, 10, 31), False),
        (date(2026, 11, 1), True),  # valid_from is inclusive
        (date(2026, 11, 30), True),  # valid_to is inclusive
        (date(2026, 12, 1), False),
    ],
)
def test_validity_window_is_inclusive(on: date, applies: bool) -> None:
    rule = make_rule(
        "nov", "minimum_quantity", quantity=50, valid_from=date(2026, 11, 1), valid_to=date(2026, 11, 30)
    )
    assert (not run([make_line(quantity=10)], [rule], on=on).can_checkout) is applies


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "applies"),
    [
        (None, date(2026, 11, 26), True),
        (None, date(2026, 11, 25), False),
        (date(2026, 11, 26), None, True),
        (date(2026, 11, 27), None, False),
    ],
)
def test_open_ended_validity(valid_from: date | None, valid_to: date | None, applies: bool) -> None:
    rule = make_rule("r", "minimum_quantity", quantity=50, valid_from=valid_from, valid_to=valid_to)
    assert (not run([make_line(quantity=10)], [rule]).can_checkout) is applies


def test_inactive_rule_never_applies() -> None:
    rule = make_rule("off", "minimum_order_amount", amount="100000", active=False)
    result = run([make_line()], [rule])
    assert result.can_checkout
    assert result.applied_rules == ()


# --------------------------------------------------------------------------- order amount


@pytest.mark.parametrize(("quantity", "violated"), [(29, True), (30, False), (31, False)])
def test_minimum_order_amount(quantity: int, violated: bool) -> None:
    rule = make_rule("min-amount", "minimum_order_amount", amount="3000")
    result = run([make_line(quantity=quantity, price="100")], [rule])
    assert ("below_minimum_amount" in codes(result)) is violated
    if violated:
        violation = only(result, "below_minimum_amount")
        assert violation.sku is None
        assert violation.required == D("3000")
        assert violation.params["missing"] == D("100")
        assert violation.params["subtotal"] == D("2900")


def test_minimum_order_amount_compares_before_tax() -> None:
    rule = make_rule("min-amount", "minimum_order_amount", amount="3000")
    result = run([make_line(quantity=29, price="100")], [rule])
    assert result.total > D("3000")
    assert "below_minimum_amount" in codes(result)


def test_strictest_minimum_order_amount_wins() -> None:
    rules = [
        make_rule("min-3000", "minimum_order_amount", amount="3000"),
        make_rule("min-hokkaido", "minimum_order_amount", amount="5000", scope={"prefectures": ["東京都"]}),
    ]
    assert only(run([make_line(quantity=40)], rules), "below_minimum_amount").required == D("5000")


# --------------------------------------------------------------------------- fees and hints


SMALL_FEE = make_rule("small-order-fee", "small_order_fee", below="10000", fee="500", tax_rate=10)
SHIP_HOKKAIDO = make_rule(
    "ship-hokkaido",
    "shipping_fee",
    fee="1500",
    free_from="30000",
    scope={"prefectures": ["北海道", "沖縄県"]},
)


def test_small_order_fee_and_its_hint() -> None:
    result = run([make_line(quantity=77, price="100")], [SMALL_FEE])
    (fee,) = result.fees
    assert (fee.kind, fee.amount, fee.tax_rate, fee.rule_code) == (
        "small_order_fee",
        D("500"),
        10,
        "small-order-fee",
    )
    assert fee.params == {"below": D("10000"), "fee": D("500")}
    (hint,) = result.hints
    assert hint.code == "small_order_fee_avoidable"
    assert hint.params["missing"] == D("2300")
    assert hint.params["fee"] == D("500")
    assert result.can_checkout  # a fee is not a violation


@pytest.mark.parametrize(("quantity", "charged"), [(99, True), (100, False), (150, False)])
def test_small_order_fee_threshold_is_strictly_below(quantity: int, charged: bool) -> None:
    result = run([make_line(quantity=quantity, price="100")], [SMALL_FEE])
    assert bool(result.fees) is charged
    assert bool(result.hints) is charged


def test_small_order_fee_not_charged_on_zero_subtotal() -> None:
    assert run([make_line(quantity=3, price="0.1")], [SMALL_FEE]).fees == ()


@pytest.mark.parametrize(
    ("prefecture", "quantity", "fee"),
    [("北海道", 299, "1500"), ("沖縄県", 299, "1500"), ("北海道", 300, None), ("東京都", 299, None)],
)
def test_shipping_fee_scoped_by_prefecture_with_free_threshold(
    prefecture: str, quantity: int, fee: str | None
) -> None:
    result = run(
        [make_line(quantity=quantity, price="100")], [SHIP_HOKKAIDO], buyer=make_buyer(prefecture=prefecture)
    )
    assert [f.amount for f in result.fees] == ([D(fee)] if fee else [])
    if fee:
        (hint,) = result.hints
        assert hint.code == "free_shipping_reachable"
        assert hint.params["missing"] == D("30000") - D(quantity * 100)
        assert result.fees[0].kind == "shipping"


def test_shipping_fee_without_free_threshold_is_always_charged_without_hint() -> None:
    rule = make_rule("ship", "shipping_fee", fee="800")
    result = run([make_line(quantity=1000, price="100")], [rule])
    assert [f.amount for f in result.fees] == [D("800")]
    assert result.hints == ()


def test_both_fees_and_both_hints() -> None:
    result = run([make_line(quantity=50)], [SMALL_FEE, SHIP_HOKKAIDO], buyer=make_buyer(prefecture="北海道"))
    assert [f.kind for f in result.fees] == ["small_order_fee", "shipping"]
    assert [(h.code, h.params["missing"]) for h in result.hints] == [
        ("small_order_fee_avoidable", D("5000")),
        ("free_shipping_reachable", D("25000")),
    ]


@pytest.mark.parametrize(
    ("rules", "expected_fee", "expected_code"),
    [
        ([("general", 0, "500"), ("vip", 10, "300")], "300", "vip"),  # higher priority wins, even if cheaper
        ([("a", 0, "300"), ("b", 0, "500")], "500", "b"),  # tie → larger fee
        ([("general", 0, "500"), ("exempt", 5, "0")], None, "exempt"),  # fee 0 exempts
    ],
)
def test_fee_priority(
    rules: list[tuple[str, int, str]], expected_fee: str | None, expected_code: str
) -> None:
    built = [
        make_rule(code, "small_order_fee", below="10000", fee=fee, priority=prio) for code, prio, fee in rules
    ]
    result = run([make_line(quantity=10)], built)
    assert [f.amount for f in result.fees] == ([D(expected_fee)] if expected_fee else [])
    assert expected_code in result.applied_rules
    losers = {code for code, _, _ in rules} - {expected_code}
    assert losers.isdisjoint(result.applied_rules)


def test_winning_fee_rule_decides_alone() -> None:
    # The customer's own threshold (¥5,000) replaces the general one (¥10,000).
    rules = [
        make_rule("general", "small_order_fee", below="10000", fee="500"),
        make_rule(
            "c001", "small_order_fee", below="5000", fee="300", priority=1, scope={"customers": ["C001"]}
        ),
    ]
    assert run([make_line(quantity=70)], rules).fees == ()
    assert run([make_line(quantity=70)], rules, buyer=make_buyer(customer_code="C002")).fees[0].amount == D(
        "500"
    )


# --------------------------------------------------------------------------- tax and totals


def test_tax_per_rate_per_order_on_a_mixed_cart() -> None:
    food = make_product("RICE", category_codes=("FOOD",), tax_rate=8)
    screw = make_product("SCREW", tax_rate=8)
    lines = [
        make_line(make_product("PANEL", tax_rate=10), quantity=3, price="333.33"),  # 999.99 → 999
        make_line(screw, quantity=7, price="0.85"),  # 5.95 → 5
        make_line(food, quantity=13, price="99.5"),  # 1293.5 → 1293
    ]
    result = run(lines, [SMALL_FEE])
    assert [line.amount for line in result.lines] == [D("999"), D("5"), D("1293")]
    assert result.subtotal == D("2297")
    # 8%: (5 + 1293) × 0.08 = 103.84 → 103; 10%: (999 + fee 500) × 0.10 = 149.9 → 149
    assert result.tax == {10: D("149"), 8: D("103")}
    assert result.total == D("2297") + D("500") + D("149") + D("103")


def test_tax_is_rounded_once_per_rate_not_per_line() -> None:
    food = make_product("RICE", tax_rate=8)
    lines = [
        make_line(food, quantity=1, price="99"),
        make_line(make_product("BREAD", tax_rate=8), quantity=1, price="99"),
    ]
    # per line would be 7 + 7 = 14; per order 198 × 0.08 = 15.84 → 15
    assert run(lines).tax[8] == D("15")


def test_fee_with_its_own_tax_rate_goes_to_that_base() -> None:
    fee8 = make_rule("fee8", "small_order_fee", below="10000", fee="100", tax_rate=8)
    result = run([make_line(quantity=1, price="1000")], [fee8])
    assert result.tax == {10: D("100"), 8: D("8")}
    assert result.total == D("1208")


def test_tax_always_has_both_rates() -> None:
    result = run([make_line(quantity=1, price="1000")])
    assert result.tax == {10: D("100"), 8: D("0")}
    assert result.total == D("1100")


# --------------------------------------------------------------------------- buyer and product state


@pytest.mark.parametrize(
    ("credit", "violated"), [(D("1099"), True), (D("1100"), False), (None, False), (D("0"), True)]
)
def test_credit_limit_compares_with_total_including_tax(credit: Decimal | None, violated: bool) -> None:
    result = run([make_line(quantity=10, price="100")], buyer=make_buyer(credit_available=credit))
    assert ("credit_limit" in codes(result)) is violated
    if violated:
        violation = only(result, "credit_limit")
        assert violation.required == credit
        assert violation.params["excess"] == D("1100") - credit


def test_ec_disabled_still_prices_the_cart() -> None:
    result = run([make_line(quantity=10, price="100")], [SMALL_FEE], buyer=make_buyer(ec_enabled=False))
    assert codes(result) == ["ec_disabled"]
    assert result.subtotal == D("1000")
    assert result.fees[0].amount == D("500")
    assert not result.can_checkout


def test_inactive_product_is_not_available_and_nothing_else() -> None:
    result = run([make_line(make_product(active=False, moq=100), quantity=1)], [MOQ_50])
    violation = only(result, "not_available")
    assert codes(result) == ["not_available"]
    assert violation.params["reason"] == "inactive"
    assert violation.sku == "BOLT-M6"


@pytest.mark.parametrize(
    ("available", "quantity", "violated"), [(5, 6, True), (5, 5, False), (None, 10**6, False), (0, 1, True)]
)
def test_stock_check(available: int | None, quantity: int, violated: bool) -> None:
    result = run([make_line(make_product(available=available), quantity=quantity)])
    assert ("not_available" in codes(result)) is violated
    if violated:
        violation = only(result, "not_available")
        assert violation.required == available
        assert violation.params["reason"] == "stock"


def test_empty_cart() -> None:
    result = run([], [SMALL_FEE, make_rule("min", "minimum_order_amount", amount="3000"), SHIP_HOKKAIDO])
    assert codes(result) == ["empty_cart"]
    assert not result.can_checkout
    assert (result.subtotal, result.total, result.fees, result.hints) == (D(0), D(0), (), ())
    assert result.tax == {10: D(0), 8: D(0)}


def test_violation_order_is_stable() -> None:
    lines = [
        make_line(quantity=10),
        make_line(make_product("NUT", category_codes=("NUT",), available=0), quantity=1),
    ]
    rules = [MOQ_50, make_rule("min", "minimum_order_amount", amount="1000000")]
    result = run(lines, rules, buyer=make_buyer(ec_enabled=False, credit_available=D("1")))
    assert [(v.code, v.sku) for v in result.violations] == [
        ("ec_disabled", None),
        ("below_moq", "BOLT-M6"),
        ("not_available", "NUT"),
        ("below_minimum_amount", None),
        ("credit_limit", None),
    ]


def test_applied_rules_lists_only_rules_that_took_part_in_input_order() -> None:
    rules = [
        make_rule("drink-case", "order_multiple", use_case_quantity=True, scope={"categories": ["DRINK"]}),
        MOQ_50,
        make_rule("min", "minimum_order_amount", amount="100"),
        SMALL_FEE,
        SHIP_HOKKAIDO,
        make_rule("expired", "maximum_quantity", quantity=5, valid_to=date(2026, 1, 1)),
    ]
    assert run([make_line(quantity=50)], rules).applied_rules == ("moq-bolts", "min", "small-order-fee")


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: make_line(quantity=0), ValueError),
        (lambda: make_line(quantity=-1), ValueError),
        (lambda: Line(make_product(), 1, 1.5), TypeError),  # type: ignore[arg-type]  # a float on purpose: it must be refused
        (lambda: make_product(tax_rate=5), ValueError),
        (lambda: make_product(case_quantity=0), ValueError),
        (lambda: make_product(category_codes="BOLT"), TypeError),
    ],
)
def test_invalid_inputs_fail_when_built(build: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        build()


# --------------------------------------------------------------------------- property


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=500),
            st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False),
            st.sampled_from([8, 10]),
        ),
        max_size=6,
    ),
    fee_rate=st.sampled_from([8, 10]),
)
def test_totals_add_up_and_tax_never_exceeds_rate(
    items: list[tuple[int, Decimal, int]], fee_rate: int
) -> None:
    lines = [
        make_line(make_product(f"SKU{i}", tax_rate=rate), quantity=qty, price=str(price))
        for i, (qty, price, rate) in enumerate(items)
    ]
    rules = [
        make_rule("small", "small_order_fee", below="50000", fee="500", tax_rate=fee_rate),
        make_rule("ship", "shipping_fee", fee="1200", free_from="100000"),
    ]
    result = run(lines, rules)
    assert result.total == result.subtotal + result.fees_total + result.tax_total
    assert result.subtotal == sum((line.amount for line in result.lines), D(0))
    for rate in (8, 10):
        base = sum((p.amount for p in result.lines if p.tax_rate == rate), D(0))
        base += sum((f.amount for f in result.fees if f.tax_rate == rate), D(0))
        exact = base * rate / 100
        assert result.tax[rate] <= exact < result.tax[rate] + 1
    for value in [result.total, *result.tax.values(), *(p.amount for p in result.lines)]:
        assert value == value.to_integral_value()


# --------------------------------------------------------------------------- messages


@pytest.fixture
def english() -> Any:
    from django.conf import settings as django_settings

    if not django_settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        django_settings.configure(USE_I18N=False)
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.usefixtures("english")
def test_messages_say_how_to_fix_in_english() -> None:
    from pricing_rules.messages import fee_message, hint_message, violation_message

    rules = [make_rule("dozen", "order_multiple", quantity=12), SMALL_FEE]
    result = run([make_line(quantity=10, price="770")], rules)
    assert violation_message(result.violations[0]) == "Please order in multiples of 12 個 (currently 10)."
    assert (
        hint_message(result.hints[0]) == "Order ¥2,300 more and the ¥500 small-order fee no longer applies."
    )
    assert fee_message(result.fees[0]) == "Small-order fee (orders under ¥10,000)"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("violation", "expected"),
    [
        (Violation("empty_cart"), "Your cart is empty."),
        (
            Violation(
                "credit_limit", None, {"total": D("1100"), "credit_available": D("1000"), "excess": D("100")}
            ),
            "This order (¥1,100) exceeds your available credit of ¥1,000 by ¥100.",
        ),
        (
            Violation(
                "not_available", "X", {"reason": "stock", "available": 1200, "unit": "個", "quantity": 1500}
            ),
            "Only 1,200 個 in stock (currently 1,500).",
        ),
        (Violation("something_new", None, {}), "This order cannot be placed as it is (something_new)."),
    ],
)
def test_violation_messages(violation: Violation, expected: str) -> None:
    from pricing_rules.messages import violation_message

    assert violation_message(violation) == expected


# --------------------------------------------------------------------------- stepper


def _valid(q: int, minimum: int, multiple: int, maximum: int | None) -> bool:
    return q >= max(minimum, 1) and q % multiple == 0 and (maximum is None or q <= maximum)


@settings(max_examples=300, deadline=None)
@given(
    quantity=st.integers(1, 400),
    minimum=st.integers(1, 60),
    multiple=st.integers(1, 24),
    maximum=st.none() | st.integers(1, 300),
)
def test_stepper_moves_to_the_neighbouring_valid_quantities(
    quantity: int, minimum: int, multiple: int, maximum: int | None
) -> None:
    limit = 1000
    valid = [q for q in range(1, limit) if _valid(q, minimum, multiple, maximum)]
    above = [q for q in valid if q > quantity]
    below = [q for q in valid if q < quantity]
    bounds = {"minimum": minimum, "multiple": multiple, "maximum": maximum}
    assert next_valid_quantity(quantity, **bounds) == (above[0] if above else None)
    assert previous_valid_quantity(quantity, **bounds) == (below[-1] if below else None)


def test_stepper_examples() -> None:
    # Sold by the case of 12, at least 24, at most 120: 30 steps to 36 and 24.
    bounds = {"minimum": 24, "multiple": 12, "maximum": 120}
    assert (next_valid_quantity(30, **bounds), previous_valid_quantity(30, **bounds)) == (36, 24)
    assert (next_valid_quantity(120, **bounds), previous_valid_quantity(24, **bounds)) == (None, None)
    assert previous_valid_quantity(500, **bounds) == 120  # above the maximum: back to the largest valid


@pytest.mark.usefixtures("english")
def test_stored_fee_labels_come_from_messages() -> None:
    from pricing_rules.messages import fee_kind_label

    assert [fee_kind_label(kind) for kind in ("small_order_fee", "shipping")] == [
        "Small-order fee",
        "Shipping fee",
    ]
