"""import_leads FILE.csv --source SOURCE [--report OUT.csv] (contract section 7)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from b2bshop.errors import ApplicationError
from crm.services import leads


class Command(BaseCommand):
    help = (
        "Import a lead CSV (UTF-8 or Shift_JIS/CP932), match it against the customer master, write a report."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="lead CSV with a company_name column")
        parser.add_argument(
            "--source", required=True, help="where the leads come from, e.g. expo-2026 or web-form"
        )
        parser.add_argument("--report", help="write the per-row report CSV here ('-' for stdout)")

    def handle(self, *args, file: str, source: str, report: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with path.open("rb") as stream:
                lead_import = leads.import_leads(
                    stream=stream, file_name=path.name, source=source, now=timezone.now()
                )
        except ApplicationError as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        if report == "-":
            leads.write_report(lead_import=lead_import, out=sys.stdout)
        elif report:
            with Path(report).open("w", encoding="utf-8", newline="") as out:
                leads.write_report(lead_import=lead_import, out=out)
        summary = (
            f"import #{lead_import.pk}: {lead_import.processed_rows} rows, matched {lead_import.matched_count}, "
            f"review {lead_import.review_count}, new {lead_import.new_count}, invalid {lead_import.invalid_count}"
        )
        (self.stderr if report == "-" else self.stdout).write(summary)
