"""django.contrib.admin's app config with the shop's admin site (staff TOTP, customers/admin_site.py).

A module of its own: an AppConfig module is imported before models are ready.
"""

from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    default_site = "customers.admin_site.ShopAdminSite"
