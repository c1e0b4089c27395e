from django.core.management.base import BaseCommand, CommandError

from customers import services
from customers.models import User


class Command(BaseCommand):
    help = "Print a new API token for user E (an ERP integration user or a buyer), alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the user's e-mail")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(self, *args, **opts):
        user = User.objects.filter(email=opts["user"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"no active user with e-mail {opts['user']!r}")
        if not (user.is_integration or user.is_buyer):
            raise CommandError(f"{user.email} is neither an integration user nor a buyer")
        issued = services.issue_api_token(user=user, name=opts["name"])
        self.stdout.write(f"token for {user.email} (prefix {issued.token.prefix}); it is shown only once:")
        self.stdout.write(issued.raw)
