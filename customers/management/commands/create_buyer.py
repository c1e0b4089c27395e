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
        parser.add_argument(
            "--spending-limit",
            metavar="YEN",
            help="per-order limit in yen; larger orders wait for an approver ('' = no limit)",
        )

    def handle(self, *args, **opts):
        try:
            extra = {}
            if opts["spending_limit"] is not None:
                extra["spending_limit"] = services.parse_spending_limit(opts["spending_limit"])
            user = services.create_buyer(
                customer_code=opts["customer"],
                email=opts["email"],
                password=opts["password"],
                role=opts["role"],
                **extra,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        assert user.customer is not None  # create_buyer always links the company
        limit = f", spending limit ¥{user.spending_limit:,}" if user.spending_limit is not None else ""
        self.stdout.write(f"buyer {user.email} ({user.role}{limit}) for {user.customer.code} is ready")
