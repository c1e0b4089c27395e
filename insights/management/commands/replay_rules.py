"""`manage.py replay_rules FILE.json --from D --to D [--report OUT.csv]` (contract sections 1 and 9)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from b2bshop.errors import ApplicationError
from insights import services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def _yen(value: Decimal | str) -> str:
    return f"¥{Decimal(value):,.0f}"


class Command(BaseCommand):
    help = (
        "What-if: re-evaluate the orders placed from D to D under a draft rules file, by the checkout engine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--from", dest="date_from", required=True, type=_date)
        parser.add_argument("--to", dest="date_to", required=True, type=_date)
        parser.add_argument("--report", help="write one CSV row per order here")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], encoding="utf-8-sig") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from None
        report = None
        try:
            if options["report"]:
                report = open(options["report"], "w", encoding="utf-8", newline="")  # noqa: SIM115
            summary = services.replay_draft(
                text=text, date_from=options["date_from"], date_to=options["date_to"], report=report
            )
        except OSError as exc:
            raise CommandError(f"cannot write the report: {exc}") from None
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if report is not None:
                report.close()
        data = summary.as_dict()
        out = self.stdout
        out.write(f"orders replayed: {data['orders']:,}")
        out.write(f"orders blocked: {data['blocked']:,} (revenue {_yen(data['blocked_revenue'])})")
        for code, n in data["violations"].items():
            out.write(f"  {code}: {n:,}")
        out.write(f"fees before: {_yen(data['fees_before'])}  after: {_yen(data['fees_after'])}")
        out.write(f"handling cost saved: {_yen(data['handling_saved'])}")
        out.write("profit per order band (before -> after):")
        for band in data["bands"]:
            upper = _yen(band["upper"]) if band["upper"] else "+"
            out.write(
                f"  {_yen(band['lower'])}-{upper}: {band['orders']:,} orders, {band['blocked']:,} blocked, "
                f"{_yen(band['profit_before'])} -> {_yen(band['profit_after'])}"
            )
        if data["customers"]:
            out.write("customers most affected:")
            for c in data["customers"][:10]:
                out.write(
                    f"  {c['code']} {c['name']}: {c['blocked']} blocked ({_yen(c['blocked_revenue'])}), "
                    f"fees {_yen(c['fees_before'])} -> {_yen(c['fees_after'])}"
                )
        sys.stdout.flush()
