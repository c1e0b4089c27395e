"""`manage.py dump_rules`: print the trading rules as the contract's rules file (section 6)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from pricing_rules.selectors import rules_document


class Command(BaseCommand):
    help = "Print all trading rules as JSON in the load_rules format."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(rules_document(), ensure_ascii=False, indent=2))
