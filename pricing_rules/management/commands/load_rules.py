"""`manage.py load_rules FILE.json`: replace all trading rules (contract section 6), all-or-nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.models import User
from pricing_rules import services


class Command(BaseCommand):
    help = "Replace all trading rules with the rules in FILE.json (nothing changes if any rule is invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file", help='rules file: {"rules": [...]}')
        parser.add_argument("--by", default="", help="e-mail of the staff user to record in the rule history")

    def handle(self, *args, file: str, by: str, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        actor = None
        if by:
            actor = User.objects.filter(email=by.strip().lower()).first()
            if actor is None:
                raise CommandError(f"no user with e-mail {by!r}")
        try:
            rules = services.read_rules_file(text=text)
            result = services.replace_rules(rules=rules, actor=actor, source="load_rules")
        except services.RuleRejected as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        self.stdout.write(
            f"{len(rules)} rules loaded: {result.created} created, {result.updated} updated, "
            f"{result.deleted} deleted, {result.unchanged} unchanged"
        )
