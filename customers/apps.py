from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from b2bshop.middleware import stamp_session_activity
        from customers import services
        from customers.two_factor import remember_device_on_login
        from mail.services import register_link_renderer

        user_logged_in.connect(stamp_session_activity, dispatch_uid="b2bshop-idle-session-stamp")
        user_logged_in.connect(remember_device_on_login, dispatch_uid="customers-staff-otp-flag")
        # Invitation and password-reset links are made when the e-mail is sent, never stored.
        register_link_renderer(kind=services.INVITATION_EMAIL, render=services.invitation_link)
        register_link_renderer(kind=services.PASSWORD_RESET_EMAIL, render=services.password_reset_link)
