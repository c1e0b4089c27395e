from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for `make run` and the seed_demo / demo_logins commands; nothing imports it."""

    name = "demo"
    verbose_name = _("Demo data")
