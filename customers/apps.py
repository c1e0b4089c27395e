from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # Invitation and password-reset links are made when the e-mail is sent, never stored.
        from customers import services
        from mail.services import register_link_renderer

        register_link_renderer(kind=services.INVITATION_EMAIL, render=services.invitation_link)
        register_link_renderer(kind=services.PASSWORD_RESET_EMAIL, render=services.password_reset_link)
