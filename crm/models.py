"""CRM (名寄せ): departments, contacts (key persons), their sources and history, lead imports.

These models moved here from `customers`; their tables kept the `customers_` names, so no data moved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer

SALES_SOURCE = "sales"
"""The source name for contacts that sales entered or owns; every other source counts as marketing."""


class CodeSequence(models.Model):
    """A named counter for generated codes (prospects: P000001 …); never `count() + 1`."""

    name = models.CharField(max_length=32, primary_key=True, verbose_name=_("name"))
    last_value = models.PositiveBigIntegerField(default=0, verbose_name=_("last value"))

    class Meta:
        db_table = "customers_codesequence"  # created by the customers app; the table stays
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class Department(models.Model):
    """A department, branch or office (部署・支店・営業所) of a customer."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="departments", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        db_table = "customers_department"  # created by the customers app; the table stays
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

    class Purpose(models.TextChoices):
        """利用目的: what the person's data may be used for (APPI), told to them when it was obtained."""

        BUSINESS = "business", _("Business correspondence (取引上の連絡)")
        SALES = "sales", _("Sales approach (営業活動)")
        MARKETING = "marketing", _("Marketing information (販促のご案内)")

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
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        help_text=_("The sales rep who owns the relationship."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
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
    purpose = models.CharField(
        _("purpose of use (利用目的)"), max_length=16, choices=Purpose.choices, default=Purpose.BUSINESS
    )
    erased_at = models.DateTimeField(
        _("personal data erased at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the person's data was erased on request (crm.services.privacy)."),
    )
    last_contacted_at = models.DateTimeField(_("last contacted at"), null=True, blank=True)
    # Comparison keys for merging duplicates: lower-case e-mail, person name without spaces.
    email_key = models.CharField(
        max_length=254, blank=True, editable=False, verbose_name=_("normalised e-mail")
    )
    name_key = models.CharField(max_length=100, blank=True, editable=False, verbose_name=_("normalised name"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "customers_contact"  # created by the customers app; the table stays
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

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="sources", verbose_name=_("contact")
    )
    source = models.CharField(_("source"), max_length=64)
    event = models.CharField(_("event"), max_length=200, blank=True)
    captured_on = models.DateField(_("captured on"), null=True, blank=True)
    lead_import = models.ForeignKey(
        "crm.LeadImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead import"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "customers_contactsource"  # created by the customers app; the table stays
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
        ERASED = "erased", _("Personal data erased")

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="history", verbose_name=_("contact")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        db_table = "customers_contactevent"  # created by the customers app; the table stays
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
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False, verbose_name=_("file SHA-256"))
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "customers_leadimport"  # created by the customers app; the table stays
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

    lead_import = models.ForeignKey(
        LeadImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("lead import")
    )
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
    fingerprint = models.CharField(max_length=40, blank=True, editable=False, verbose_name=_("fingerprint"))
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, default=Resolution.AUTO
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        db_table = "customers_leadrow"  # created by the customers app; the table stays
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
