"""manage.py send_reminders [--date D] [--dry-run] (contract sections 1 and 9)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from engagement.services import send_reminders


class Command(BaseCommand):
    help = "Queue the reorder reminders due on a date (default today); never twice for the same due cycle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in Asia/Tokyo)")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due; send and record nothing"
        )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        raw = options.get("date")
        try:
            on = date.fromisoformat(str(raw)) if raw else timezone.localdate(now)
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, got {raw!r}") from exc
        run = send_reminders(on=on, now=now, dry_run=bool(options["dry_run"]))
        if run.dry_run:
            for customer_id, product_ids in run.planned:
                self.stdout.write(f"customer {customer_id}: products {', '.join(map(str, product_ids))}")
            self.stdout.write(
                f"{on}: dry run, {run.due_items} item(s) due for {run.customers_due} customer(s); nothing sent"
            )
            return
        self.stdout.write(
            f"{on}: {run.emails} e-mail(s) queued for {run.due_items} due item(s) of {run.customers_due} "
            f"customer(s); {run.already_sent} already reminded, {run.no_recipient} without a reachable buyer"
        )
