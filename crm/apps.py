from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """Contacts, key persons and lead import (名寄せ); depends on customers, never the reverse."""

    name = "crm"
    verbose_name = _("CRM")
