from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from b2bshop.middleware import stamp_session_activity

        user_logged_in.connect(stamp_session_activity, dispatch_uid="b2bshop-idle-session-stamp")
