from django.core.management.base import BaseCommand, CommandError

from b2bshop.errors import ApplicationError
from customers import services


class Command(BaseCommand):
    help = "Create a non-buyer user allowed to call /api/v1/erp/ and print its token alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)

    def handle(self, *args, **opts):
        try:
            issued = services.create_integration_user(name=opts["name"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"integration user {issued.token.user.email}; token shown only once:")
        self.stdout.write(issued.raw)
