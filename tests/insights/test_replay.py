"""A what-if whose outcome is known, the contract report, the command, and switching a draft on for a pilot."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from insights import services
from insights.models import ReplayRun
from insights.replay import run_replay
from insights.selectors import Period
from pricing_rules import rules_file
from pricing_rules.models import Rule, RuleChange
from tests import factories
from tests.insights.builders import at, make_order

pytestmark = pytest.mark.django_db

DRAFT = {
    "rules": [
        {"code": "min-amount", "kind": "minimum_order_amount", "amount": "5000"},
        {"code": "small-fee", "kind": "small_order_fee", "below": "10000", "fee": "800", "tax_rate": "10"},
        {"code": "moq-bolts", "kind": "minimum_quantity", "quantity": 50, "scope": {"categories": ["BOLT"]}},
    ]
}
NOV = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))


@pytest.fixture
def world():
    bolts = factories.make_category(code="BOLT")
    sub = factories.make_category(code="BOLT-M8", parent=bolts)
    bolt = factories.make_product(sku="BOLT-1", base_price="10", category=sub)
    paper = factories.make_product(sku="PAPER-1", base_price="100")
    a = factories.make_customer(code="C-A", prefecture="東京都")
    b = factories.make_customer(code="C-B", prefecture="大阪府")
    orders = [
        # 3,000: below the draft's minimum amount → blocked.
        make_order(customer=a, day="2026-11-02", lines=[(paper, 30, "100")], fees="500"),
        # 7,000 with 100 bolts: allowed, draft fee 800 (was 500).
        make_order(customer=a, day="2026-11-03", lines=[(paper, 60, "100"), (bolt, 100, "10")], fees="500"),
        # 12,000 but only 20 bolts (the category's parent carries the MOQ) → blocked by below_moq.
        make_order(
            customer=b, day="2026-11-04", lines=[(paper, 118, "100"), (bolt, 20, "10")], channel="phone"
        ),
        # 15,000: fine, no fee.
        make_order(customer=b, day="2026-11-05", lines=[(paper, 150, "100")], channel="fax"),
        # Outside the period and cancelled orders are not replayed.
        make_order(customer=b, day="2026-10-31", lines=[(paper, 1, "100")]),
        make_order(customer=b, day="2026-11-06", lines=[(paper, 1, "100")], status="cancelled"),
    ]
    # Today's list prices changed since; the replay uses what the orders paid.
    paper.base_price = Decimal("999")
    paper.active = False  # withdrawn since: the order still counts as orderable
    paper.save()
    return {"orders": orders, "a": a, "b": b}


def _rules():
    return rules_file.rules_from_dict(DRAFT)


def test_replay_outcome_and_report(world, settings):
    settings.INSIGHTS_HANDLING_COST = {"web": 30, "api": 30, "phone": 700, "fax": 700}
    settings.INSIGHTS_ORDER_BANDS = [10000]
    settings.INSIGHTS_DEFAULT_MARGIN_RATE = "0.25"
    out = io.StringIO()

    summary = run_replay(rules=_rules(), period=NOV, report=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    numbers = [o.number for o in world["orders"][:4]]
    assert list(rows[0]) == ["number", "customer", "blocked", "violations", "fees_before", "fees_after"]
    assert [(r["number"], r["customer"], r["blocked"], r["violations"], r["fees_before"], r["fees_after"])
            for r in rows] == [
        (numbers[0], "C-A", "true", "below_minimum_amount", "500", "800"),
        (numbers[1], "C-A", "false", "", "500", "800"),
        (numbers[2], "C-B", "true", "below_moq", "0", "0"),
        (numbers[3], "C-B", "false", "", "0", "0"),
    ]  # fmt: skip
    data = summary.as_dict()
    assert (data["orders"], data["blocked"], data["blocked_revenue"]) == (4, 2, "15000")
    assert (data["fees_before"], data["fees_after"]) == ("1000", "800")  # blocked orders collect nothing
    assert data["handling_saved"] == "730"  # one web order (30) and one phone order (700) not taken
    assert data["violations"] == {"below_minimum_amount": 1, "below_moq": 1}
    assert [c["code"] for c in data["customers"]] == [
        "C-B",
        "C-A",
    ]  # 12,000 blocked vs 3,000 blocked + 300 fees
    # Band < 10,000: orders 1 and 2; margin 25 %: 750 and 1750.
    #   before: (750 + 500 - 30) + (1750 + 500 - 30) = 3440; after: order 1 blocked, (1750 + 800 - 30) = 2520
    # Band ≥ 10,000: orders 3 (12,000, phone) and 4 (15,000, fax).
    #   before: (3000 - 700) + (3750 - 700) = 5350; after: order 3 blocked → 3050
    assert [(b["orders"], b["blocked"], b["profit_before"], b["profit_after"]) for b in data["bands"]] == [
        (2, 1, "3440", "2520"),
        (2, 1, "5350", "3050"),
    ]


def test_replay_in_batches_of_one_gives_the_same_answer(world):
    whole = run_replay(rules=_rules(), period=NOV).as_dict()
    one_by_one = run_replay(rules=_rules(), period=NOV, batch_size=1).as_dict()
    assert whole == one_by_one


def test_replay_rules_command(world, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(DRAFT), encoding="utf-8")
    report = tmp_path / "report.csv"
    out = io.StringIO()

    call_command(
        "replay_rules",
        str(draft),
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--report",
        str(report),
        stdout=out,
    )

    assert "orders blocked: 2" in out.getvalue()
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "number,customer,blocked,violations,fees_before,fees_after"
    assert len(lines) == 5


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            '{"rules": [{"code": "x", "kind": "nope"}]}',
            ["--from", "2026-11-01", "--to", "2026-11-30"],
            "unknown kind",
        ),
        ("not json", ["--from", "2026-11-01", "--to", "2026-11-30"], "not valid JSON"),
        ('{"rules": []}', ["--from", "2026-11-30", "--to", "2026-11-01"], "before the start date"),
        ('{"rules": []}', ["--from", "2026-13-01", "--to", "2026-11-01"], "not a date"),
    ],
)
def test_replay_rules_command_refuses_bad_input(tmp_path, content, args, message, english):
    draft = tmp_path / "draft.json"
    draft.write_text(content, encoding="utf-8")
    with pytest.raises((CommandError, SystemExit)) as excinfo:
        call_command("replay_rules", str(draft), *args)
    if isinstance(excinfo.value, CommandError):
        assert message in str(excinfo.value)


def test_run_in_admin_flow_and_pilot_keeps_history(world, staff):
    run = services.start_replay(
        name="min 5000",
        text=json.dumps(DRAFT),
        date_from=NOV.start,
        date_to=NOV.end,
        actor=staff,
        now=at("2026-12-01"),
    )
    services.execute_replay_run(run_id=run.pk, now=at("2026-12-01"))
    run.refresh_from_db()
    assert run.status == ReplayRun.Status.DONE
    assert run.summary["blocked"] == 2
    assert (
        run.report.read().decode("utf-8-sig").splitlines()[0]
        == "number,customer,blocked,violations,fees_before,fees_after"
    )

    saved = services.switch_on_pilot(run=run, prefecture="大阪府", actor=staff)

    assert sorted(r.code for r in saved) == [
        f"pilot{run.pk}-min-amount",
        f"pilot{run.pk}-moq-bolts",
        f"pilot{run.pk}-small-fee",
    ]
    fee = Rule.objects.get(code=f"pilot{run.pk}-small-fee")
    assert fee.scope == {"prefectures": ["大阪府"]}
    assert fee.priority == 100
    moq = Rule.objects.get(code=f"pilot{run.pk}-moq-bolts")
    assert moq.scope == {"categories": ["BOLT"], "prefectures": ["大阪府"]}
    assert (
        RuleChange.objects.filter(
            rule_code__startswith=f"pilot{run.pk}-", source="pilot", changed_by=staff
        ).count()
        == 3
    )
    run.refresh_from_db()
    assert run.piloted_scope == {"prefecture": "大阪府"}


def test_pilot_refuses_a_scope_the_rule_never_reaches(world, staff):
    draft = {
        "rules": [{"code": "hk", "kind": "shipping_fee", "fee": "1500", "scope": {"prefectures": ["北海道"]}}]
    }
    run = ReplayRun.objects.create(
        name="x", draft=draft, date_from=NOV.start, date_to=NOV.end, created_at=at("2026-12-01")
    )
    with pytest.raises(services.ValidationFailed):
        services.switch_on_pilot(run=run, prefecture="大阪府", actor=staff)
    with pytest.raises(services.ValidationFailed):
        services.switch_on_pilot(run=run, prefecture="", price_group="", actor=staff)
    assert not Rule.objects.filter(code__startswith="pilot").exists()


def test_lines_of_a_deleted_product_replay_from_their_snapshot(world):
    from orders.models import OrderLine

    order = world["orders"][3]
    OrderLine.objects.filter(order=order).update(product=None)
    rows = {r.number: r for r in _replayed()}
    assert rows[order.number].blocked is False
    assert rows[order.number].subtotal == 15000


def _replayed():
    from insights.replay import replay_orders

    return list(replay_orders(rules=_rules(), period=NOV))


def test_a_product_deleted_while_the_replay_runs_stops_it_with_a_message(world):
    from catalog.models import Product
    from insights.replay import ProductDeletedDuringReplay, replay_orders

    glue = factories.make_product(sku="GLUE-1", base_price="100")
    make_order(customer=world["a"], day="2026-11-07", lines=[(glue, 60, "100")])
    stream = replay_orders(rules=_rules(), period=NOV, batch_size=1)
    next(stream)  # the stream is open; the glue order comes last
    Product.objects.filter(pk=glue.pk).delete()
    with pytest.raises(ProductDeletedDuringReplay, match="試算の実行中に商品が削除されました"):
        list(stream)
