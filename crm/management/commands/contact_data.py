"""contact_data export|erase (--id N | --email ADDR): a person's data on request (APPI 開示・削除).

manage.py contact_data export --email taro@example.jp --format csv --output taro.csv
manage.py contact_data erase --id 42 --yes
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from b2bshop.errors import ApplicationError
from crm.models import Contact
from crm.services import privacy


class Command(BaseCommand):
    help = "Export (JSON/CSV) or erase one contact's personal data on the person's request."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--id", type=int, help="the contact's id")
        who.add_argument("--email", help="the contact's e-mail address (must match exactly one contact)")
        parser.add_argument("--format", choices=privacy.EXPORT_FORMATS, default="json")
        parser.add_argument("--output", help="write the export to this file instead of stdout")
        parser.add_argument("--yes", action="store_true", help="erase without asking again")

    def handle(self, *args, action: str, id: int | None, email: str | None, **options):
        if id is not None:
            contacts = list(Contact.objects.filter(pk=id))
        else:
            contacts = list(Contact.objects.filter(email__iexact=(email or "").strip()))
        if len(contacts) != 1:
            raise CommandError(f"{len(contacts)} contacts match; give --id of exactly one")
        (contact,) = contacts
        try:
            if action == "export":
                text = privacy.export_contact_data(contact=contact, fmt=options["format"], actor=None)
                if options["output"]:
                    Path(options["output"]).write_text(text, encoding="utf-8")
                else:
                    self.stdout.write(text)
                return
            if not options["yes"]:
                raise CommandError("erasing cannot be undone: add --yes")
            privacy.erase_contact_data(contact=contact, actor=None, now=timezone.now())
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"erased the personal data of contact {contact.pk}")
