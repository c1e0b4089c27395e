"""purge_stale_leads [--days N] [--dry-run]: the retention limit for leads that never became customers."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.services import privacy


class Command(BaseCommand):
    help = (
        "Delete contacts of prospects (未取引先) older than LEAD_RETENTION_DAYS and clear old lead-import "
        "rows and files. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="retention in days (LEAD_RETENTION_DAYS)")
        parser.add_argument("--dry-run", action="store_true", help="count what would go, change nothing")

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        days = settings.LEAD_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1")
        result = privacy.purge_stale_leads(now=timezone.now(), days=days, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"{verb} {result.contacts} lead contacts older than {days} days; "
            f"{'would clear' if dry_run else 'cleared'} {result.lead_rows} lead rows and {result.lead_files} lead files"
        )
