"""`manage.py close_invoices --date D [--dry-run]`: the closing run (締め処理) for date D."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from b2bshop.money import format_yen
from billing import services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date such as 2026-11-30, not {value!r}") from None


class Command(BaseCommand):
    help = "Issue invoices for every customer whose closing day is --date; re-running creates nothing new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", required=True, help="the closing date, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="show what would be issued; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        run_date = _date(options["date"])
        result = services.close_invoices(run_date=run_date, now=timezone.now(), dry_run=options["dry_run"])
        days = ", ".join(
            f"{d} (→ {c})" if c != run_date else str(d) for d, c in sorted(result.closing_days.items())
        )
        self.stdout.write(f"closing {run_date}: closing days {days or 'none (holiday)'}")
        if options["dry_run"]:
            for draft in result.drafts:
                self.stdout.write(
                    f"  would issue {draft.customer.code} {draft.customer.name}: {len(draft.orders)} orders, "
                    f"billed {format_yen(draft.total_due)}, due {draft.due_date}"
                )
            self.stdout.write(
                f"dry run: {len(result.drafts)} invoices would be issued, {result.already_closed} already "
                f"closed, {result.nothing_to_bill} with nothing to bill; nothing was written"
            )
            return
        for invoice in result.created:
            self.stdout.write(
                f"  {invoice.number} {invoice.customer.code}: billed {format_yen(invoice.total_due)}, "
                f"due {invoice.due_date}"
            )
        self.stdout.write(
            f"{len(result.created)} invoices issued, {result.already_closed} already closed, "
            f"{result.nothing_to_bill} with nothing to bill"
        )
