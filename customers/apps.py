from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from b2bshop.middleware import stamp_session_activity
        from customers.two_factor import remember_device_on_login

        user_logged_in.connect(stamp_session_activity, dispatch_uid="b2bshop-idle-session-stamp")
        user_logged_in.connect(remember_device_on_login, dispatch_uid="customers-staff-otp-flag")
