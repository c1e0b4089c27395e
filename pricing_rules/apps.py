from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingRulesConfig(AppConfig):
    name = "pricing_rules"
    verbose_name = _("Trading rules")
