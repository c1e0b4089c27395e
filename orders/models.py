"""Carts, orders (with their price/rule snapshot), events, stock holds and the ERP push outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A buyer's cart; prices are never stored here, they are evaluated on every read."""

    buyer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart", verbose_name=_("buyer")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return str(self.buyer) if self.buyer_id else ""


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class Order(models.Model):
    """A confirmed order. Everything a buyer saw is snapshotted here; later price or rule changes never touch it."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        ACCEPTED = "accepted", _("Accepted by ERP")
        SHIPPED = "shipped", _("Shipped")
        INVOICED = "invoiced", _("Invoiced")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        PHONE = "phone", _("Phone")
        FAX = "fax", _("FAX")

    number = models.CharField(_("order number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders_placed",
        verbose_name=_("placed by"),
    )
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("keyed by (staff)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders_keyed",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.CONFIRMED)
    ship_to = models.JSONField(_("ship-to (snapshot)"), default=dict)
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    po_number = models.CharField(_("PO number"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=0)
    fees_total = models.DecimalField(_("fees"), max_digits=14, decimal_places=0, default=0)
    tax_10 = models.DecimalField(_("tax 10%"), max_digits=14, decimal_places=0, default=0)
    tax_8 = models.DecimalField(_("tax 8%"), max_digits=14, decimal_places=0, default=0)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=0)
    snapshot = models.JSONField(_("rules and prices snapshot"), default=dict)
    idempotency_key = models.CharField(max_length=128, blank=True, verbose_name=_("idempotency key"))
    cart_fingerprint = models.CharField(max_length=64, blank=True, verbose_name=_("cart fingerprint"))
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    placed_at = models.DateTimeField(_("ordered at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            # Fees are stored as their sum (the lines are in OrderFee), tax per rate.
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("fees_total") + F("tax_10") + F("tax_8")),
                name="order_total_is_subtotal_fees_tax",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-placed_at"], name="order_customer_placed")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [models.UniqueConstraint(fields=["order", "line_no"], name="order_line_unique_no")]

    def __str__(self) -> str:
        return f"{self.line_no}. {self.sku} {self.name}"


class OrderFee(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fees", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=32)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"), default=10)
    rule_code = models.CharField(_("rule"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("order fee")
        verbose_name_plural = _("order fees")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class OrderEvent(models.Model):
    """The status timeline: placed, the company's approval decision, then what the ERP reports."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    type = models.CharField(_("event"), max_length=24)
    occurred_at = models.DateTimeField(_("occurred at"))
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.occurred_at:%Y-%m-%d %H:%M}"


class OrderPush(models.Model):
    """Transactional outbox row: written with the order, delivered to the ERP by a Celery worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="push", verbose_name=_("order")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ERP push")
        verbose_name_plural = _("ERP pushes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="orderpush_pending")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"


# ---------------------------------------------------------------- checkout: calendar and order templates


class Holiday(models.Model):
    """A day the warehouse does not deliver (祝日・休業日); weekends are always closed."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class OrderTemplate(models.Model):
    """A saved cart (お気に入り / 定番注文) shared by the buyers of one company."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="order_templates",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order template")
        verbose_name_plural = _("order templates")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="order_template_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OrderTemplateLine(models.Model):
    template = models.ForeignKey(
        OrderTemplate, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order template")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("order template line")
        verbose_name_plural = _("order template lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "product"], name="order_template_line_unique_product"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_template_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"
