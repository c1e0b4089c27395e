"""Reorder reminders (contract section 9), their opt-outs and conversion.

A `ReminderDigest` is the one e-mail a customer gets on one day; a `ReorderReminder` is one
(customer, product) due cycle in it. The cycle key is the date of the last purchase that made the
item due, so the unique constraint (customer, product, cycle_key) is what makes "never twice for
the same due cycle" hold even when a job is killed and rerun.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class ReminderDigest(models.Model):
    """One grouped reminder e-mail: one customer, one day, one recipient."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    on_date = models.DateField(_("date"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient user")
    )
    email = models.ForeignKey(
        "mail.OutgoingEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("e-mail"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("reorder reminder e-mail")
        verbose_name_plural = _("reorder reminder e-mails")
        ordering = ["-on_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "on_date"], name="reminderdigest_one_per_customer_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.on_date}"


class ReorderReminder(models.Model):
    """One due (customer, product) cycle that was reminded."""

    digest = models.ForeignKey(
        ReminderDigest,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("reorder reminder e-mail"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    cycle_key = models.DateField(_("last purchase (cycle)"))
    median_gap_days = models.DecimalField(_("usual interval (days)"), max_digits=7, decimal_places=1)
    due_date = models.DateField(_("due on"))
    quantity = models.PositiveIntegerField(_("usual quantity"))

    class Meta:
        verbose_name = _("reorder reminder")
        verbose_name_plural = _("reorder reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product", "cycle_key"], name="reorderreminder_once_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.product_id} {self.cycle_key}"


class EmailOptOut(models.Model):
    """A user who unsubscribed from one kind of e-mail (one click in the e-mail)."""

    class Topic(models.TextChoices):
        REORDER_REMINDERS = "reorder_reminders", _("Reorder reminders")
        REACTIVATION = "reactivation", _("We miss you e-mails")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    created_at = models.DateTimeField(_("unsubscribed at"))

    class Meta:
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="emailoptout_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}"


class PilotCustomer(Customer):
    """The web-ordering rollout (スモールスタート) seen from the shop: a staff view of customers."""

    class Meta:
        proxy = True
        verbose_name = _("web rollout customer")
        verbose_name_plural = _("web rollout (pilot dashboard)")


class CrossSell(models.Model):
    """One pair of the "customers who buy this also buy" summary (一緒に購入されている商品).

    Rebuilt as a whole by `engagement.cross_sell.compute_cross_sell` (beat, nightly) from order
    co-occurrence, so the storefront reads a small indexed table instead of scanning order lines.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    customers = models.PositiveIntegerField(_("customers who bought both in one order"))
    score = models.DecimalField(_("share of this product's customers"), max_digits=6, decimal_places=4)
    rank = models.PositiveSmallIntegerField(_("rank"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("cross-sell pair")
        verbose_name_plural = _("cross-sell pairs")
        constraints = [models.UniqueConstraint(fields=["product", "related"], name="crosssell_one_per_pair")]
        indexes = [models.Index(fields=["product", "rank"], name="crosssell_product_rank")]

    def __str__(self) -> str:
        return f"{self.product_id} -> {self.related_id}"
