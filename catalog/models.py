"""Catalog: categories, products, stock levels and prices (list, group, contract, tiers)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.units import localized, unit_label


class TaxRate(models.IntegerChoices):
    STANDARD = 10, _("10% (standard)")
    REDUCED = 8, _("8% (reduced)")


class Category(models.Model):
    """A category in a two- or three-level tree."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)


class Product(models.Model):
    """A sellable SKU, mastered in the ERP."""

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=16, default="個")
    case_quantity = models.PositiveIntegerField(
        _("case quantity (入数)"), default=1, validators=[MinValueValidator(1)]
    )
    jan_code = models.CharField(_("JAN code"), max_length=13, blank=True, db_index=True)
    tax_rate = models.PositiveSmallIntegerField(
        _("tax rate"), choices=TaxRate.choices, default=TaxRate.STANDARD
    )
    base_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2)
    # Optional, from the ERP: staff insights rank customers by gross margin where it is known.
    cost_price = models.DecimalField(
        _("cost price (原価)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    moq = models.PositiveIntegerField(_("minimum order quantity"), null=True, blank=True)
    order_multiple = models.PositiveIntegerField(_("order multiple (発注単位)"), null=True, blank=True)
    max_quantity = models.PositiveIntegerField(_("maximum quantity"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    image = models.ImageField(_("image"), upload_to="products/", blank=True)
    # From the ERP (https only); a staff upload in ``image`` wins. Neither: a placeholder.
    image_url = models.URLField(_("image URL (from the ERP)"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Lower-cased, NFKC-normalised name, kana, SKU and JAN for trigram search (GIN index on PostgreSQL).
    search_text = models.TextField(editable=False, blank=True, verbose_name=_("search text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(tax_rate__in=[8, 10]), name="product_tax_rate_8_or_10"),
            models.CheckConstraint(condition=Q(base_price__gte=0), name="product_base_price_not_negative"),
            models.CheckConstraint(condition=Q(case_quantity__gte=1), name="product_case_quantity_positive"),
        ]
        indexes = [models.Index(fields=["category", "sku"], name="product_category_sku")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the active language: English when the session is English and the ERP sent one."""
        return localized(self.name, self.name_en)

    @property
    def unit_label(self) -> str:
        """The unit in the active language (個 → pcs in English); unknown units stay as they are."""
        return unit_label(self.unit)

    @property
    def picture_url(self) -> str:
        """The staff upload, else the ERP's image URL, else "" (templates show a placeholder)."""
        if self.image:
            return self.image.url
        return self.image_url


class Stock(models.Model):
    """On-hand count from the ERP and the quantity the shop holds for orders the ERP has not absorbed yet."""

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="stock", verbose_name=_("product")
    )
    on_hand = models.IntegerField(_("on hand (ERP)"), default=0)
    held = models.IntegerField(_("held for orders"), default=0)
    as_of = models.DateTimeField(_("ERP figure taken at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="stock_held_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.available}"

    @property
    def available(self) -> int:
        return max(self.on_hand - self.held, 0)


class StockHold(models.Model):
    """Units held for an order until the ERP reports a stock figure taken after it accepted or cancelled it."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="holds", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="holds", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    release_after = models.DateTimeField(_("releasable after"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock hold")
        verbose_name_plural = _("stock holds")
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="stockhold_unique_order_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stockhold_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["product"], condition=Q(released_at__isnull=True), name="stockhold_open"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.product_id}: {self.quantity}"


class Price(models.Model):
    """A price row from the ERP: list tier (no customer, no group), group price, or customer contract price."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="prices", verbose_name=_("product")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prices",
        verbose_name=_("customer"),
    )
    price_group = models.ForeignKey(
        "customers.PriceGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prices",
        verbose_name=_("price group"),
    )
    min_quantity = models.PositiveIntegerField(
        _("minimum quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["product", "customer", "price_group", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "customer", "price_group", "min_quantity", "valid_from"],
                name="price_unique_row",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~(Q(customer__isnull=False) & Q(price_group__isnull=False)),
                name="price_customer_or_group_not_both",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="price_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "customer"], name="price_product_customer"),
            models.Index(fields=["product", "price_group"], name="price_product_group"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ≥{self.min_quantity}: {self.unit_price}"


class VisibilityRule(models.Model):
    """表示グループ: which categories or products a price group or a customer may see and order.

    One row names a subject (a customer, or a price group) and a target (a category with its
    sub-categories, or one product), and either hides the target or allows it. A subject with
    any "allow" row sees only what its allow rows name; "hide" rows then take away. A hidden
    product does not exist for that buyer: every lookup goes through
    ``catalog.selectors.visible_products``. Set by staff in admin or by the ERP.
    """

    class Effect(models.TextChoices):
        HIDE = "hide", _("Hide")
        ALLOW = "allow", _("Allow only")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visibility_rules",
    )
    price_group = models.ForeignKey(
        "customers.PriceGroup",
        verbose_name=_("price group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visibility_rules",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visibility_rules",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="visibility_rules",
    )
    effect = models.CharField(_("effect"), max_length=8, choices=Effect.choices, default=Effect.HIDE)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("visibility rule (表示グループ)")
        verbose_name_plural = _("visibility rules (表示グループ)")
        ordering = ["customer", "price_group", "effect", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) ^ Q(price_group__isnull=False),
                name="visibility_rule_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=False) ^ Q(product__isnull=False),
                name="visibility_rule_one_target",
            ),
            models.UniqueConstraint(
                fields=["customer", "price_group", "category", "product", "effect"],
                name="visibility_rule_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["customer"], name="visibility_rule_customer"),
            models.Index(fields=["price_group"], name="visibility_rule_group"),
        ]

    def __str__(self) -> str:
        subject = f"customer {self.customer_id}" if self.customer_id else f"group {self.price_group_id}"
        target = f"category {self.category_id}" if self.category_id else f"product {self.product_id}"
        return f"{self.effect} {target} for {subject}"
