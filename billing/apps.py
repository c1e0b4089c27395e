from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing (invoices and payments)")

    def ready(self) -> None:
        from billing import checks  # noqa: F401  (registers the deploy check)
        from billing.selectors import credit_available
        from orders.selectors import register_credit_source

        # Checkout, the cart and proxy orders (orders) read credit through this one computation.
        register_credit_source(credit_available)
