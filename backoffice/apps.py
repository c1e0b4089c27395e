from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = _("back office")


class StaffAdminConfig(AdminConfig):
    """Django's admin with our site as ``admin.site``: the index is the staff home (dashboard)."""

    default_site = "backoffice.sites.StaffAdminSite"
