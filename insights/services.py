"""Writes of the insights app: what-if runs, switching a draft on for a pilot scope."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Sequence
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from b2bshop.errors import ValidationFailed
from customers.models import PREFECTURES, PriceGroup, User
from insights.models import ReplayRun
from insights.replay import ReplaySummary, run_replay
from insights.selectors import Period
from pricing_rules import engine
from pricing_rules import services as rule_services
from pricing_rules.models import Rule

MAX_REPLAY_DAYS = 3 * 366
PILOT_PRIORITY_BOOST = 100
"""Added to a piloted rule's priority so that, among fee rules of one kind, it wins inside its scope."""


def check_period(*, date_from: date, date_to: date) -> Period:
    """A replay period: from ≤ to, at most three years. Raises ValidationFailed."""
    if date_to < date_from:
        raise ValidationFailed(gettext("The end date is before the start date."), code="invalid_period")
    if (date_to - date_from).days > MAX_REPLAY_DAYS:
        raise ValidationFailed(gettext("Replay at most three years at a time."), code="invalid_period")
    return Period(start=date_from, end=date_to)


def parse_draft(*, text: str) -> tuple[engine.Rule, ...]:
    """A draft rules file, validated exactly as ``load_rules`` validates. Raises ValidationFailed."""
    return rule_services.read_rules_file(text=text)


def replay_draft(
    *, text: str, date_from: date, date_to: date, report: io.TextIOBase | None = None
) -> ReplaySummary:
    """The ``replay_rules`` command: parse, check, replay. Raises ValidationFailed."""
    rules = parse_draft(text=text)
    period = check_period(date_from=date_from, date_to=date_to)
    return run_replay(rules=rules, period=period, report=report)


def start_replay(
    *, name: str, text: str, date_from: date, date_to: date, actor: User | None, now: datetime
) -> ReplayRun:
    """Record a what-if run and queue it (it may read millions of order lines). Raises ValidationFailed."""
    rules = parse_draft(text=text)
    check_period(date_from=date_from, date_to=date_to)
    run = ReplayRun.objects.create(
        name=name.strip()[:200] or gettext("What-if"),
        draft=engine.rules_to_dict(rules),
        date_from=date_from,
        date_to=date_to,
        created_by=actor,
        created_at=now,
    )
    from insights.tasks import execute_replay_run_task

    run_id = run.pk
    transaction.on_commit(lambda: execute_replay_run_task.delay(run_id=run_id), robust=True)
    return run


def execute_replay_run(*, run_id: int, now: datetime) -> ReplayRun:
    """Run a queued what-if: stream the replay, keep the summary and the CSV report. Idempotent once done."""
    claimed = ReplayRun.objects.filter(pk=run_id, status=ReplayRun.Status.PENDING).update(
        status=ReplayRun.Status.RUNNING
    )
    run = ReplayRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        rules = engine.rules_from_dict(run.draft)
        report = io.StringIO()
        summary = run_replay(rules=rules, period=Period(start=run.date_from, end=run.date_to), report=report)
    except Exception as exc:
        run.status = ReplayRun.Status.FAILED
        run.error = str(exc)[:2000]
        run.finished_at = now
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.report.save(f"replay-{run.pk}.csv", ContentFile(("\ufeff" + report.getvalue()).encode()), save=False)
    run.summary = summary.as_dict()
    run.status = ReplayRun.Status.DONE
    run.finished_at = now
    run.save(update_fields=["report", "summary", "status", "finished_at"])
    return run


def _pilot_rule(rule: engine.Rule, *, run_id: int, prefecture: str, price_group: str) -> engine.Rule:
    scope = rule.scope
    dimension, value = ("prefectures", prefecture) if prefecture else ("price_groups", price_group)
    existing: frozenset[str] = getattr(scope, dimension)
    if existing and value not in existing:
        raise ValidationFailed(
            gettext(
                "Rule %(code)s never applies to %(value)s; remove it from the draft or pick another pilot."
            )
            % {"code": rule.code, "value": value},
            code="pilot_out_of_scope",
        )
    pilot_scope = dataclasses.replace(scope, **{dimension: frozenset({value})})
    code = f"pilot{run_id}-{rule.code}"[:64]
    return engine.Rule.from_dict(
        {
            **rule.to_dict(),
            "code": code,
            "scope": pilot_scope.to_dict(),
            "priority": rule.priority + PILOT_PRIORITY_BOOST,
            "description": (f"pilot of what-if #{run_id}: " + rule.description).strip(),
        }
    )


def switch_on_pilot(
    *, run: ReplayRun, prefecture: str = "", price_group: str = "", actor: User | None
) -> Sequence[Rule]:
    """Load the run's draft as live rules limited to one prefecture or price group.

    Each rule is saved through ``pricing_rules.services.save_rule`` (validated, history kept) under
    the code ``pilot<run id>-<code>``; existing rules stay. Raises ValidationFailed.
    """
    if bool(prefecture) == bool(price_group):
        raise ValidationFailed(gettext("Choose one prefecture or one price group."), code="invalid_pilot")
    if prefecture and prefecture not in PREFECTURES:
        raise ValidationFailed(gettext("Unknown prefecture."), code="invalid_pilot")
    if price_group and not PriceGroup.objects.filter(code=price_group).exists():
        raise ValidationFailed(gettext("Unknown price group."), code="invalid_pilot")
    rules = [
        _pilot_rule(rule, run_id=run.pk, prefecture=prefecture, price_group=price_group)
        for rule in engine.rules_from_dict(run.draft)
    ]
    saved = []
    with transaction.atomic():
        existing = {row.code: row for row in Rule.objects.filter(code__in=[r.code for r in rules])}
        for rule in rules:
            row = existing.get(rule.code) or Rule()
            for name, value in rule_services.row_fields(rule).items():
                setattr(row, name, value)
            saved.append(rule_services.save_rule(row=row, actor=actor, source="pilot"))
        run.piloted_scope = {"prefecture": prefecture} if prefecture else {"price_group": price_group}
        run.save(update_fields=["piloted_scope"])
    return saved


def draft_text(run: ReplayRun) -> str:
    return json.dumps(run.draft, ensure_ascii=False, indent=2)
