"""manage.py compute_cross_sell [--dry-run] (contract sections 1 and 9)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from engagement.cross_sell import compute_cross_sell


class Command(BaseCommand):
    help = 'Rebuild "customers who buy this also buy" from the orders of the last CROSS_SELL_DAYS days.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the pairs; change nothing")

    def handle(self, *args: object, **options: object) -> None:
        run = compute_cross_sell(now=timezone.now(), dry_run=bool(options["dry_run"]))
        verb = "would store" if run.dry_run else "stored"
        self.stdout.write(f"cross-sell: {verb} {run.pairs} pair(s) for {run.products} product(s)")
