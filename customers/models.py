"""Customer companies, their buyers (users), ship-to addresses and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.names import normalize_company

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
        if update_fields is not None and "name" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "name_key"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ShipTo(models.Model):
    """A delivery address (納品先) of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ship_tos")
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
        return f"{self.name} ({self.prefecture}{self.address})"


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
    REQUIRED_FIELDS: list[str] = []

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
        return self.email

    @property
    def is_buyer(self) -> bool:
        return self.customer_id is not None and self.is_active

    @property
    def can_approve(self) -> bool:
        """Approvers and company admins decide their colleagues' orders above a spending limit (承認)."""
        return self.is_buyer and self.role in (self.Role.APPROVER, self.Role.ADMIN)


class ApiToken(models.Model):
    """A bearer token. Only a SHA-256 digest is stored; the token is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
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

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
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


# ============================================================================================
# Key persons and lead import (名寄せ)
# ============================================================================================

SALES_SOURCE = "sales"
"""The source name for contacts that sales entered or owns; every other source counts as marketing."""


class CodeSequence(models.Model):
    """A named counter for generated codes (prospects: P000001 …); never `count() + 1`."""

    name = models.CharField(max_length=32, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class Department(models.Model):
    """A department, branch or office (部署・支店・営業所) of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["customer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="department_unique_per_customer")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer or prospect (担当者), found by sales or by marketing."""

    class Role(models.TextChoices):
        OPERATIONAL = "operational", _("Operational contact (業務担当者)")
        DECISION_MAKER = "decision_maker", _("Decision maker (意思決定者)")
        APPROVER = "approver", _("Approver (業務決裁者)")
        UNKNOWN = "unknown", _("Unknown")

    class ConsentMethod(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EVENT = "event", _("Trade show or seminar")
        BUSINESS_CARD = "business_card", _("Business card exchange")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        WRITTEN = "written", _("In writing")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.UNKNOWN)
    is_key_person = models.BooleanField(_("key person"), default=False)
    owner = models.ForeignKey(
        "customers.User",
        verbose_name=_("relationship owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        help_text=_("The sales rep who owns the relationship."),
    )
    user = models.OneToOneField(
        "customers.User",
        verbose_name=_("buyer login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    marketing_consent = models.BooleanField(_("consents to marketing e-mail"), default=False)
    marketing_consent_date = models.DateField(_("consent given on"), null=True, blank=True)
    marketing_consent_method = models.CharField(
        _("consent given by"), max_length=16, choices=ConsentMethod.choices, blank=True
    )
    last_contacted_at = models.DateTimeField(_("last contacted at"), null=True, blank=True)
    # Comparison keys for merging duplicates: lower-case e-mail, person name without spaces.
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    name_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "name", "id"]
        indexes = [
            models.Index(fields=["customer", "email_key"], name="contact_customer_email"),
            models.Index(fields=["customer", "name_key"], name="contact_customer_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(marketing_consent=False)
                | (Q(marketing_consent_date__isnull=False) & ~Q(marketing_consent_method="")),
                name="contact_consent_has_date_and_method",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"#{self.pk}"


class ContactSource(models.Model):
    """One sighting of a contact: who found them, where and when. Merges keep every one."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(_("source"), max_length=64)
    event = models.CharField(_("event"), max_length=200, blank=True)
    captured_on = models.DateField(_("captured on"), null=True, blank=True)
    lead_import = models.ForeignKey(
        "customers.LeadImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact source")
        verbose_name_plural = _("contact sources")
        ordering = ["contact", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "source", "event", "captured_on"],
                name="contact_source_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["source"], name="contact_source_source")]

    def __str__(self) -> str:
        return " / ".join(p for p in (self.source, self.event, str(self.captured_on or "")) if p)


class ContactEvent(models.Model):
    """History of a contact (created, source added, merged, consent changed, contacted)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SOURCE_ADDED = "source_added", _("Source added")
        UPDATED = "updated", _("Updated")
        MERGED = "merged", _("Merged")
        CONSENT = "consent", _("Consent changed")
        CONTACTED = "contacted", _("Contacted")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        "customers.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("contact history")
        verbose_name_plural = _("contact history")
        ordering = ["contact", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class LeadImport(models.Model):
    """One imported lead file (a batch): its progress and its per-row results."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="lead_imports/", blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    encoding = models.CharField(_("encoding"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows (estimate)"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)
    review_count = models.PositiveIntegerField(_("review"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "customers.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} ({self.source})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0


class LeadRow(models.Model):
    """One input row and its decision; `review` rows wait here for a person (the review queue)."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched")
        REVIEW = "review", _("Review")
        NEW = "new", _("New")
        INVALID = "invalid", _("Invalid")

    class Resolution(models.TextChoices):
        AUTO = "auto", _("Decided by the import")
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Linked to a customer")
        PROSPECT = "prospect", _("Prospect created")
        DISMISSED = "dismissed", _("Dismissed")
        DUPLICATE = "duplicate", _("Same as a row already waiting")

    lead_import = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("row"))
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer / best candidate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    customer_code = models.CharField(_("customer code"), max_length=32, blank=True)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=3, default=0)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    data = models.JSONField(_("lead data"), default=dict, blank=True)
    fingerprint = models.CharField(max_length=40, blank=True, editable=False)
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, default=Resolution.AUTO
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        "customers.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead row")
        verbose_name_plural = _("lead rows")
        ordering = ["lead_import", "row"]
        constraints = [models.UniqueConstraint(fields=["lead_import", "row"], name="lead_row_unique")]
        indexes = [
            models.Index(fields=["status", "resolution"], name="lead_row_queue"),
            models.Index(fields=["fingerprint"], name="lead_row_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_import_id}:{self.row} {self.company_name}"


class ReviewLeadRow(LeadRow):
    """The review queue (名寄せ確認): lead rows waiting for a person."""

    class Meta:
        proxy = True
        verbose_name = _("lead to review")
        verbose_name_plural = _("lead review queue")
