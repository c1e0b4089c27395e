from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = _("ERP integration")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integration import schema  # noqa: F401  (registers the OpenAPI auth extension)
