from django.core.management.base import BaseCommand
from django.utils import timezone

from demo import seed as demo


class Command(BaseCommand):
    help = "Load the demo wholesaler (products, customers, buyers, two years of orders, rules). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="(kept for make run) same as the default")

    def handle(self, *args, **opts):
        result = demo.seed_demo(now=timezone.now(), log=lambda m: self.stdout.write(f"  - {m}"))
        if result.created:
            self.stdout.write(
                f"demo data loaded: {result.products} products, {result.customers} customers, {result.orders} orders"
            )
        else:
            self.stdout.write(
                f"demo data already present ({result.products} products, {result.orders} orders); nothing changed"
            )
