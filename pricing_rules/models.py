"""Trading rules (取引条件) as stored rows, and their change history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """One trading rule; the pure engine (pricing_rules.engine) evaluates it."""

    class Kind(models.TextChoices):
        MINIMUM_QUANTITY = "minimum_quantity", _("Minimum quantity (MOQ)")
        ORDER_MULTIPLE = "order_multiple", _("Order multiple")
        MAXIMUM_QUANTITY = "maximum_quantity", _("Maximum quantity")
        MINIMUM_ORDER_AMOUNT = "minimum_order_amount", _("Minimum order amount")
        SMALL_ORDER_FEE = "small_order_fee", _("Small-order fee (小口手数料)")
        SHIPPING_FEE = "shipping_fee", _("Shipping fee")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    use_case_quantity = models.BooleanField(_("use the product's case quantity"), default=False)
    # Thresholds may carry two decimals like the engine accepts; fees are whole yen (the engine checks).
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    below = models.DecimalField(_("applies below"), max_digits=14, decimal_places=2, null=True, blank=True)
    fee = models.DecimalField(_("fee"), max_digits=14, decimal_places=0, null=True, blank=True)
    free_from = models.DecimalField(_("free from"), max_digits=14, decimal_places=2, null=True, blank=True)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"), default=10)
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    priority = models.IntegerField(_("priority"), default=0)
    description = models.TextField(_("description"), blank=True)
    # Place in the rules file, so dump_rules prints the rules in the order load_rules read them.
    position = models.PositiveIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("trading rule")
        verbose_name_plural = _("trading rules")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class RuleChange(models.Model):
    """Who changed which rule when, with the rule before and after (contract: every change is kept)."""

    rule_code = models.CharField(_("rule"), max_length=64, db_index=True)
    action = models.CharField(_("action"), max_length=16)  # created / updated / deleted
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("changed by"),
    )
    source = models.CharField(_("source"), max_length=32, default="admin")
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule history")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.action}"
