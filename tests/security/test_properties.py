"""Hypothesis properties of the two pure modules hostile input reaches first: the rules engine
(pricing_rules/engine.py) and the company-name normaliser (b2bshop/text.py).

tests/pricing_rules/test_engine.py already proves totals = subtotal + fees + tax with tax rounded
down per rate, and the stepper; these add what an adversarial cart could break: random rules, order
independence, monotonicity, never negative, Decimal only, and a suggestion that is really valid.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from b2bshop.text import normalize_company, normalize_kana
from pricing_rules.engine import Buyer, Evaluation, Line, Product, Rule, Scope, evaluate

ON = date(2026, 11, 26)
D = Decimal
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)

# ---------------------------------------------------------------- the engine
prices = st.decimals(min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False)
# Round amounts make ties between overlapping rules likely, which is where order could leak in.
yen = (st.sampled_from([0, 500, 1000, 5000, 10000]) | st.integers(min_value=0, max_value=200000)).map(Decimal)
small_ints = st.none() | st.integers(min_value=1, max_value=48)

products = st.builds(
    Product,
    sku=st.sampled_from(["A", "B", "C", "D"]),
    name=st.just("品"),
    unit=st.just("個"),
    category_codes=st.sampled_from([(), ("BOLT",), ("FOOD",)]),
    case_quantity=st.integers(min_value=1, max_value=12),
    moq=small_ints,
    order_multiple=small_ints,
    max_quantity=st.none() | st.integers(min_value=1, max_value=500),
    tax_rate=st.sampled_from([8, 10]),
    available=st.none() | st.integers(min_value=0, max_value=500),
)
line_rules = st.builds(
    Rule,
    code=st.sampled_from(["q1", "q2", "q3"]),
    kind=st.sampled_from(["minimum_quantity", "order_multiple", "maximum_quantity"]),
    quantity=st.integers(min_value=1, max_value=36),
    use_case_quantity=st.booleans(),
    scope=st.sampled_from([Scope(), Scope(categories=frozenset({"BOLT"}))]),
)
fee_rules = st.one_of(
    st.builds(
        Rule,
        code=st.sampled_from(["small1", "small2"]),
        kind=st.just("small_order_fee"),
        below=yen,
        fee=yen,
        tax_rate=st.sampled_from([8, 10]),
        priority=st.integers(0, 2),
    ),
    st.builds(
        Rule,
        code=st.sampled_from(["ship1", "ship2"]),
        kind=st.just("shipping_fee"),
        fee=yen,
        free_from=st.none() | yen,
        tax_rate=st.sampled_from([8, 10]),
        priority=st.integers(0, 2),
    ),
    st.builds(Rule, code=st.just("min"), kind=st.just("minimum_order_amount"), amount=yen),
)
carts = st.lists(
    st.builds(Line, product=products, quantity=st.integers(min_value=1, max_value=600), unit_price=prices),
    max_size=5,
    unique_by=lambda line: line.product.sku,
)
rule_sets = st.lists(st.one_of(line_rules, fee_rules), max_size=6, unique_by=lambda rule: rule.code)
buyers = st.builds(
    Buyer,
    customer_code=st.just("C1"),
    credit_available=st.none() | yen,
    ec_enabled=st.booleans(),
)


def _run(lines: list[Line], rules: list[Rule], buyer: Buyer) -> Evaluation:
    return evaluate(lines=lines, buyer=buyer, rules=rules, on=ON)


def _money(evaluation: Evaluation) -> list[object]:
    return [
        evaluation.subtotal,
        evaluation.total,
        *evaluation.tax.values(),
        *(line.amount for line in evaluation.lines),
        *(fee.amount for fee in evaluation.fees),
    ]


@PROPERTY
@given(lines=carts, rules=rule_sets, buyer=buyers)
def test_money_is_whole_yen_decimal_never_negative_and_adds_up(lines, rules, buyer):
    result = _run(lines, rules, buyer)
    for value in _money(result):
        assert type(value) is Decimal  # never a float, never an int that lost its type
        assert value >= 0 and value == value.to_integral_value()
    assert result.total == result.subtotal + result.fees_total + result.tax_total
    assert result.can_checkout == (not result.violations)
    assert len({fee.kind for fee in result.fees}) == len(result.fees)  # one fee of each kind at most


@PROPERTY
@given(lines=carts, rules=rule_sets, buyer=buyers, data=st.data())
def test_the_order_of_lines_and_rules_changes_nothing(lines, rules, buyer, data):
    result = _run(lines, rules, buyer)
    shuffled = _run(data.draw(st.permutations(lines)), data.draw(st.permutations(rules)), buyer)
    assert (shuffled.subtotal, shuffled.tax, shuffled.total) == (result.subtotal, result.tax, result.total)
    assert sorted((f.kind, f.amount) for f in shuffled.fees) == sorted(
        (f.kind, f.amount) for f in result.fees
    )
    assert sorted(v.code for v in shuffled.violations) == sorted(v.code for v in result.violations)


small_fees = st.builds(
    Rule,
    code=st.sampled_from(["s1", "s2", "s3"]),
    kind=st.just("small_order_fee"),
    below=st.sampled_from([1000, 5000, 10000]).map(Decimal),
    fee=st.sampled_from([300, 500]).map(Decimal),
    tax_rate=st.sampled_from([8, 10]),
    priority=st.integers(0, 1),
)


@PROPERTY
@given(
    lines=st.lists(
        st.builds(
            Line, product=products, quantity=st.integers(1, 5), unit_price=st.sampled_from([D(100), D(900)])
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda line: line.product.sku,
    ),
    rules=st.lists(small_fees, min_size=2, max_size=3, unique_by=lambda rule: rule.code),
    data=st.data(),
)
def test_overlapping_fee_rules_pick_the_same_winner_in_any_order(lines, rules, data):
    """Rules come from a file or the database in whatever order; the fee, its tax and hint must not."""
    buyer = Buyer(customer_code="C1")
    result = _run(lines, rules, buyer)
    shuffled = _run(lines, data.draw(st.permutations(rules)), buyer)
    assert (shuffled.fees, shuffled.hints, shuffled.tax) == (result.fees, result.hints, result.tax)


@PROPERTY
@given(lines=carts.filter(bool), rules=rule_sets, buyer=buyers, extra=st.integers(1, 100), data=st.data())
def test_more_of_a_line_never_costs_less_merchandise(lines, rules, buyer, extra, data):
    index = data.draw(st.integers(0, len(lines) - 1))
    bigger = list(lines)
    line = bigger[index]
    bigger[index] = Line(product=line.product, quantity=line.quantity + extra, unit_price=line.unit_price)
    before, after = _run(lines, rules, buyer), _run(bigger, rules, buyer)
    assert after.subtotal >= before.subtotal
    # A larger cart can only lose fees it was charged for being small, never gain one.
    assert after.fees_total <= before.fees_total or after.subtotal == before.subtotal


@PROPERTY
@given(
    product=products,
    quantity=st.integers(1, 600),
    rules=st.lists(line_rules, max_size=4, unique_by=lambda r: r.code),
)
def test_a_suggested_quantity_is_accepted_by_the_same_rules(product, quantity, rules):
    product = Product(**{**{s: getattr(product, s) for s in Product.__slots__}, "available": None})
    buyer = Buyer(customer_code="C1")
    result = _run([Line(product=product, quantity=quantity, unit_price=Decimal(100))], rules, buyer)
    suggestions = {v.params.get("suggested") for v in result.violations if "suggested" in v.params}
    assert len(suggestions) <= 1  # every violation of one line suggests the same quantity
    suggested = suggestions.pop() if suggestions else None
    if suggested is not None:
        again = _run([Line(product=product, quantity=suggested, unit_price=Decimal(100))], rules, buyer)
        assert not again.violations, (quantity, suggested, again.violations)
    line = result.lines[0]
    if line.smallest_valid_quantity is not None and not result.violations:
        assert quantity >= line.smallest_valid_quantity


# ---------------------------------------------------------------- the name normaliser
# Cores from a safe alphabet (no legal-form or branch words can appear by accident).
core_chars = st.sampled_from(list("東邦山田工業商事ABCxyz0123アイウエオカキクケコ"))
cores = st.text(core_chars, min_size=1, max_size=12)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn")), min_size=0, max_size=30)
LEGAL_FORMS = [
    "株式会社{}",
    "{}株式会社",
    "(株){}",
    "{}(株)",
    "㈱{}",
    "{}㈱",
    "（株）{}",
    "{} Co., Ltd.",
    "{}",
]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@PROPERTY
@given(name=names)
def test_normalising_a_key_again_changes_nothing(name):
    key = normalize_company(name).key
    assert normalize_company(key).key == key
    assert key == key.strip() and " " not in key and "\u3000" not in key


@PROPERTY
@given(name=names)
def test_width_and_surrounding_spaces_do_not_change_the_name(name):
    reference = normalize_company(name)
    assert normalize_company(_full_width(name)) == reference
    assert normalize_company(" \u3000" + name + "\u3000 ") == reference
    assert normalize_company(unicodedata.normalize("NFD", name)) == normalize_company(
        unicodedata.normalize("NFC", name)
    )


@PROPERTY
@given(core=cores, form=st.sampled_from(LEGAL_FORMS), other=st.sampled_from(LEGAL_FORMS))
def test_every_spelling_of_the_legal_form_gives_one_key(core, form, other):
    assume(not core.isascii() or len(core) > 1)
    assert normalize_company(form.format(core)).key == normalize_company(other.format(core)).key


HALF_WIDTH = dict(zip("アイウエオカキクケコサシスセソ", "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿ", strict=True))
HALF_WIDTH.update({chr(ord(k) + 1): v + "ﾞ" for k, v in list(HALF_WIDTH.items())[5:]})  # ガ → ｶﾞ


@PROPERTY
@given(
    reading=st.text(
        st.sampled_from(list("あいうえおかきくけこさしすせそがぎぐげご")), min_size=1, max_size=10
    )
)
def test_hiragana_katakana_and_half_width_readings_compare_equal(reading):
    katakana = "".join(chr(ord(c) + 0x60) for c in reading)
    half_width = "".join(HALF_WIDTH[c] for c in katakana)
    assert normalize_kana(reading) == normalize_kana(katakana) == normalize_kana(half_width) == katakana
    assert normalize_company(reading).key == normalize_company(katakana).key
