"""Customer companies, their buyers (users), ship-to addresses and API tokens."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from b2bshop.text import normalize_company

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]  # fmt: skip
PREFECTURE_CHOICES = [(p, p) for p in PREFECTURES]

invoice_registration_validator = RegexValidator(r"^T\d{13}$", _("Enter T followed by 13 digits."))


class PriceGroup(models.Model):
    """A price group (価格グループ): customers sharing a 掛け率 (rate on list price) or fixed prices."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rate = models.DecimalField(
        _("rate on list price (掛け率)"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(2)],
        help_text=_("e.g. 0.85 = 85 percent of the list price. Empty: only fixed group prices apply."),
    )

    class Meta:
        verbose_name = _("price group")
        verbose_name_plural = _("price groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Customer(models.Model):
    """A customer company (取引先) or prospect (未取引先)."""

    class TradingStatus(models.TextChoices):
        CUSTOMER = "customer", _("Customer (取引先)")
        PROSPECT = "prospect", _("Prospect (未取引先)")

    code = models.CharField(_("customer code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=40, blank=True)
    trading_status = models.CharField(
        _("trading status"), max_length=16, choices=TradingStatus.choices, default=TradingStatus.CUSTOMER
    )
    price_group = models.ForeignKey(
        PriceGroup, verbose_name=_("price group"), null=True, blank=True, on_delete=models.PROTECT
    )
    prefecture = models.CharField(_("prefecture"), max_length=8, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    domain = models.CharField(_("website / e-mail domain"), max_length=120, blank=True)
    owner = models.ForeignKey(
        "customers.User",
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    closing_day = models.PositiveSmallIntegerField(
        _("closing day (締め日)"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("1-28, or 31 = month end"),
    )

    class PaymentTerms(models.TextChoices):
        DAYS = "days", _("Days after closing")
        NEXT_MONTH_END = "next_month_end", _("End of next month (翌月末)")
        MONTH_AFTER_NEXT_END = "month_after_next_end", _("End of the month after next (翌々月末)")

    payment_terms = models.CharField(
        _("payment terms"), max_length=24, choices=PaymentTerms.choices, default=PaymentTerms.DAYS
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    invoice_registration_number = models.CharField(
        _("invoice registration number"),
        max_length=14,
        blank=True,
        validators=[invoice_registration_validator],
    )
    ec_enabled = models.BooleanField(_("web ordering enabled"), default=True)
    is_key_account = models.BooleanField(
        _("key account"),
        default=False,
        help_text=_("Key accounts are flagged ones plus the top customers by 12-month revenue."),
    )
    name_key = models.CharField(
        _("normalised name"), max_length=200, blank=True, db_index=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closing_day__gte=1) & (Q(closing_day__lte=28) | Q(closing_day=31)),
                name="customer_closing_day_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The matcher and the admin search compare normalised names; keep the key in step with
        # the name however the row is saved (bulk_create callers set it themselves).
        self.name_key = normalize_company(self.name).key[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:  # type: ignore[operator]  # Model.save() types update_fields loosely
            kwargs["update_fields"] = {*update_fields, "name_key"}  # type: ignore[misc]  # Model.save() types update_fields loosely
        super().save(*args, **kwargs)  # type: ignore[arg-type]  # Model.save() types update_fields loosely


class ShipTo(models.Model):
    """A delivery address (納品先) of a customer."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="ship_tos", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=8)
    prefecture = models.CharField(_("prefecture"), max_length=8)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("ship-to address")
        verbose_name_plural = _("ship-to addresses")
        ordering = ["customer", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="one_default_ship_to_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} 〒{self.postal_code} {self.prefecture}{self.address}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: staff, buyers (belong to exactly one customer) and ERP integration users."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        APPROVER = "approver", _("Approver")
        ADMIN = "admin", _("Company admin")

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=100, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buyers",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    spending_limit = models.DecimalField(
        _("spending limit per order"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Orders above this total (tax included) wait for an approver. Empty: no limit."),
    )
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_integration = models.BooleanField(_("ERP integration user"), default=False)
    preferred_language = models.CharField(_("language"), max_length=8, default="ja")
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(is_integration=True) & Q(customer__isnull=False)),
                name="integration_user_has_no_customer",
            ),
            models.CheckConstraint(condition=Q(customer__isnull=True) | ~Q(role=""), name="buyer_has_role"),
            models.CheckConstraint(
                condition=Q(spending_limit__isnull=True) | Q(spending_limit__gte=0),
                name="user_spending_limit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        # Staff and sales reps are known by name (coverage, owners, history); the e-mail when unnamed.
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name people know a colleague or sales rep by; the e-mail only when no name is set."""
        return self.full_name or self.email

    @property
    def is_buyer(self) -> bool:
        return self.customer_id is not None and self.is_active

    @property
    def can_approve(self) -> bool:
        """Approvers and company admins decide their colleagues' orders above a spending limit (承認)."""
        return self.is_buyer and self.role in (self.Role.APPROVER, self.Role.ADMIN)


class ApiToken(models.Model):
    """A bearer token. Only a SHA-256 digest is stored; the token is shown once when created."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token digest"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class Invitation(models.Model):
    """A company admin's invitation of a colleague: a single-use, expiring link to set a password.

    Only a SHA-256 digest of the link's token is stored; the token travels only in the e-mail.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user")
    )
    invited_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token digest"))
    created_at = models.DateTimeField(_("invited at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
