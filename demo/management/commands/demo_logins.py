from django.core.management.base import BaseCommand
from django.db.models import Q

from customers.models import User
from demo import seed as demo


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **opts):
        buyers = User.objects.filter(
            customer__isnull=False, customer__ec_enabled=True, email__startswith="buyer1@"
        ).order_by("customer__code")[:3]
        # The approval flow's cast in the first demo company (demo.seed.DEMO_APPROVAL_CAST).
        cast = (
            User.objects.filter(customer__code=demo.DEMO_MARKER_CODE)
            .filter(Q(role="approver") | Q(role="buyer", spending_limit__isnull=False))
            .order_by("-role", "email")
        )
        self.stdout.write("")
        self.stdout.write("b2bshop demo is starting on http://127.0.0.1:8000/")
        self.stdout.write(f"  staff (admin: /admin/)  {demo.DEMO_STAFF_EMAIL} / {demo.DEMO_STAFF_PASSWORD}")
        for b in buyers:
            assert b.customer is not None  # filtered on customer above
            self.stdout.write(f"  buyer ({b.customer.name})  {b.email} / {demo.DEMO_BUYER_PASSWORD}")
        for user in cast:
            if user.role == "approver":
                what = "approver: /orders/approvals/"
            else:
                what = f"buyer, orders above ¥{user.spending_limit:,.0f} wait for approval"
            self.stdout.write(f"  {what}  {user.email} / {demo.DEMO_BUYER_PASSWORD}")
        self.stdout.write("")
