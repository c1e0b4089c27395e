from django.core.management.base import BaseCommand, CommandError

from b2bshop.errors import ApplicationError
from customers import services


class Command(BaseCommand):
    help = "Create (or update) a storefront login for customer company CODE."

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, help="customer code")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", default="buyer", choices=["buyer", "approver", "admin"])

    def handle(self, *args, **opts):
        try:
            user = services.create_buyer(
                customer_code=opts["customer"],
                email=opts["email"],
                password=opts["password"],
                role=opts["role"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"buyer {user.email} ({user.role}) for {user.customer.code} is ready")
