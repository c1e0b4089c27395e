from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from customers.roles import sync_staff_roles


class Command(BaseCommand):
    help = "Create the staff role groups (order desk, sales, marketing, rules manager, administrator) and set their permissions."

    def handle(self, *args, **opts):
        missing = sync_staff_roles(group_model=Group, permission_model=Permission)
        if missing:
            raise CommandError("permissions not found (run migrate first): " + ", ".join(missing))
        self.stdout.write("staff roles are up to date")
