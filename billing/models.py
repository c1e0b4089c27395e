"""Invoices (締め請求書), the orders each one covers, and payments reported by the ERP."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _yen(verbose_name: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=0, default=0)


class Invoice(models.Model):
    """One customer's consolidated invoice for one closing date: a qualified invoice (適格請求書).

    Issuer and recipient are snapshotted so a later change of address or settings never alters
    an issued invoice. Amounts are whole yen. ``tax_*`` is computed once per rate over the whole
    invoice and rounded down; ``orders_tax_*`` is the sum of the orders' own per-order tax.
    """

    number = models.CharField(_("invoice number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    closing_date = models.DateField(_("closing date (締日)"))
    closed_on = models.DateField(_("closed on"), help_text=_("The run date; differs on holidays."))
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date (お支払期限)"))
    issuer_name = models.CharField(_("issuer"), max_length=200)
    issuer_address = models.CharField(_("issuer address"), max_length=300, blank=True)
    issuer_registration_number = models.CharField(_("issuer registration number"), max_length=14, blank=True)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_postal_code = models.CharField(_("recipient postal code"), max_length=8, blank=True)
    recipient_address = models.CharField(_("recipient address"), max_length=300, blank=True)
    previous_balance = _yen(_("previous balance (前回御請求額)"))
    payments_received = _yen(_("payments received (御入金額)"))
    carried_over = _yen(_("carried over (繰越金額)"))
    taxable_10 = _yen(_("amount at 10% (excl. tax)"))
    taxable_8 = _yen(_("amount at 8% (excl. tax)"))
    tax_10 = _yen(_("tax 10%"))
    tax_8 = _yen(_("tax 8%"))
    orders_tax_10 = _yen(_("sum of order tax 10%"))
    orders_tax_8 = _yen(_("sum of order tax 8%"))
    purchases_total = _yen(_("this period's purchases incl. tax (今回御買上額)"))
    total_due = _yen(_("amount billed (今回御請求額)"))
    issued_at = models.DateTimeField(_("issued at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-closing_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "closing_date"], name="invoice_one_per_closing"),
            models.CheckConstraint(
                condition=Q(
                    purchases_total=models.F("taxable_10")
                    + models.F("taxable_8")
                    + models.F("tax_10")
                    + models.F("tax_8")
                ),
                name="invoice_purchases_add_up",
            ),
            models.CheckConstraint(
                condition=Q(total_due=models.F("carried_over") + models.F("purchases_total")),
                name="invoice_total_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-closing_date"], name="invoice_customer_closing")]

    def __str__(self) -> str:
        return self.number

    @property
    def tax_difference_10(self) -> int:
        """Invoice tax minus the orders' per-order tax at 10 % (rounding once vs per order)."""
        return int(self.tax_10 - self.orders_tax_10)

    @property
    def tax_difference_8(self) -> int:
        return int(self.tax_8 - self.orders_tax_8)


class InvoiceOrder(models.Model):
    """An order on an invoice. ``order`` is unique: the database keeps an order on one invoice only."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="invoice_orders", verbose_name=_("invoice")
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoice_link"
    )
    transaction_date = models.DateField(_("transaction date (取引年月日)"))

    class Meta:
        verbose_name = _("invoiced order")
        verbose_name_plural = _("invoiced orders")
        ordering = ["invoice", "transaction_date", "order_id"]

    def __str__(self) -> str:
        return f"{self.invoice_id}:{self.order_id}"


class Payment(models.Model):
    """Money received from a customer (入金), reported by the ERP, idempotent by ``reference``.

    ``invoice`` is the invoice whose 御入金額 first reported it (set by the closing run).
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=64)
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("reported on invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "reference"], name="payment_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ¥{self.amount}"


class Receivable(Customer):
    """The receivables list (売掛金一覧) in admin: customers with their open balance and ageing."""

    class Meta:
        proxy = True
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
