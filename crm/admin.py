"""Admin for contacts, lead imports, the review queue (名寄せ確認) and key-person coverage.

Thin: forms read input, one service or selector call each, messages and redirects.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from b2bshop.csv_safe import csv_response
from b2bshop.errors import ApplicationError
from b2bshop.resources import CsvExportMixin
from crm import selectors, services
from crm.models import (
    CodeSequence,
    Contact,
    ContactEvent,
    ContactSource,
    Department,
    LeadImport,
    LeadRow,
    ReviewLeadRow,
)
from crm.reasons import describe_reason
from crm.resources import ContactResource
from crm.services import leads, privacy
from crm.tasks import import_leads_task
from customers import roles
from customers.auth import signed_in_user
from customers.models import Customer

# ---------------------------------------------------------------------------------- CSV export


# ---------------------------------------------------------------------------------- contacts


class ContactSourceInline(admin.TabularInline):
    model = ContactSource
    extra = 0
    can_delete = False
    fields = readonly_fields = ("source", "event", "captured_on", "lead_import", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


class ContactEventInline(admin.TabularInline):
    model = ContactEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "kind", "actor", "note", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "customer"]
    search_fields = ["name", "customer__code", "customer__name"]
    autocomplete_fields = ["customer"]


@admin.register(Contact)
class ContactAdmin(CsvExportMixin, admin.ModelAdmin):
    resource_classes = [ContactResource]
    list_display = [
        "name",
        "customer",
        "department",
        "title",
        "role",
        "is_key_person",
        "owner",
        "email",
        "marketing_consent",
        "last_contacted_at",
    ]
    list_filter = ["role", "is_key_person", "marketing_consent", "sources__source"]
    search_fields = ["name", "name_kana", "email", "customer__code", "customer__name"]
    list_select_related = ["customer", "department", "owner"]
    autocomplete_fields = ["customer", "owner", "user", "department"]
    inlines = [ContactSourceInline, ContactEventInline]
    actions = [
        "merge_selected",
        "export_csv",
        "export_personal_data_json",
        "export_personal_data_csv",
        "erase_personal_data",
    ]
    readonly_fields = ["erased_at"]
    fieldsets = (
        (
            None,
            {"fields": ("customer", "department", "name", "name_kana", "title", "email", "phone", "user")},
        ),
        (gettext_lazy("Personal data (APPI)"), {"fields": ("purpose", "erased_at")}),
        (gettext_lazy("Key person"), {"fields": ("role", "is_key_person", "owner", "last_contacted_at")}),
        (
            gettext_lazy("Marketing e-mail consent"),
            {"fields": ("marketing_consent", "marketing_consent_date", "marketing_consent_method")},
        ),
    )

    def get_queryset(self, request):
        # Sales reps see the contacts of the accounts they own (customers.roles); admins see all.
        queryset = super().get_queryset(request)
        if roles.sees_every_contact(request.user):
            return queryset
        return queryset.filter(roles.own_accounts_contacts(request.user))

    def save_model(self, request, obj, form, change):
        try:
            services.save_contact(
                contact=obj, actor=request.user, now=timezone.now(), changed=form.changed_data
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ConsentForm(form):  # type: ignore[misc, valid-type]  # subclassing the form class admin built at run time
            def clean(self):
                data = super().clean()
                if data.get("marketing_consent") and not (
                    data.get("marketing_consent_date") and data.get("marketing_consent_method")
                ):
                    raise forms.ValidationError(_("Consent needs the date and the way it was given."))
                return data

        return ConsentForm

    def get_urls(self):
        coverage = self.admin_site.admin_view(coverage_view)
        return [path("coverage/", coverage, name="crm_coverage"), *super().get_urls()]

    @admin.action(description=gettext_lazy("Merge selected contacts (keeps every source and history)"))
    def merge_selected(self, request, queryset):
        contacts = list(queryset.order_by("pk"))
        if len(contacts) < 2:
            self.message_user(request, _("Select at least two contacts to merge."), messages.WARNING)
            return
        # The contact linked to a login (else the oldest) survives.
        survivor = next((c for c in contacts if c.user_id), contacts[0])
        try:
            services.merge_contacts(
                survivor=survivor,
                duplicates=[c for c in contacts if c.pk != survivor.pk],
                actor=request.user,
                now=timezone.now(),
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request, _("Merged %(n)d contacts into %(name)s.") % {"n": len(contacts), "name": survivor}
        )

    @admin.action(description=gettext_lazy("Export selected contacts as CSV"))
    def export_csv(self, request, queryset):
        contacts = list(queryset.select_related("customer"))
        privacy.record_contacts_export(
            contact_ids=[c.pk for c in contacts], actor=request.user, what="csv-list"
        )
        rows = (
            (c.customer.code, c.customer.name, c.name, c.title, c.email, c.phone, c.role, c.marketing_consent)
            for c in contacts
        )
        return csv_response(
            filename="contacts.csv",
            header=[
                "customer_code",
                "customer_name",
                "name",
                "title",
                "email",
                "phone",
                "role",
                "marketing_consent",
            ],
            rows=rows,
        )

    # ---------------------------------------------------------------------------------- lead imports

    def _one_person(self, request: HttpRequest, queryset) -> Contact | None:
        if queryset.count() != 1:
            self.message_user(
                request, _("Select exactly one contact (one person's request)."), messages.WARNING
            )
            return None
        return queryset.first()

    def _personal_data(self, request: HttpRequest, queryset, fmt: str) -> HttpResponse | None:
        contact = self._one_person(request, queryset)
        if contact is None:
            return None
        text = privacy.export_contact_data(contact=contact, fmt=fmt, actor=signed_in_user(request))
        content_type = "application/json" if fmt == "json" else "text/csv"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.{fmt}"'
        return response

    @admin.action(description=gettext_lazy("Personal data request: export this person's data (JSON)"))
    def export_personal_data_json(self, request, queryset):
        return self._personal_data(request, queryset, "json")

    @admin.action(description=gettext_lazy("Personal data request: export this person's data (CSV)"))
    def export_personal_data_csv(self, request, queryset):
        return self._personal_data(request, queryset, "csv")

    @admin.action(
        description=gettext_lazy("Personal data request: erase this person's data (cannot be undone)"),
        permissions=["delete"],
    )
    def erase_personal_data(self, request, queryset):
        contact = self._one_person(request, queryset)
        if contact is None:
            return
        try:
            privacy.erase_contact_data(contact=contact, actor=request.user, now=timezone.now())
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("The personal data of contact #%(id)d was erased.") % {"id": contact.pk})


class LeadUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Lead CSV (UTF-8 or Shift_JIS)"))
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=64,
        help_text=gettext_lazy("e.g. expo-2026, seminar-10, web-form"),
    )


ROWS_SHOWN = 200  # rows listed on an import's page; the CSV report has them all


@admin.register(LeadImport)
class LeadImportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "file_name",
        "source",
        "status",
        "processed_rows",
        "matched_count",
        "review_count",
        "new_count",
        "invalid_count",
        "created_at",
    ]
    list_filter = ["status", "source"]
    readonly_fields = [f.name for f in LeadImport._meta.fields]
    change_form_template = "admin/crm/leadimport/change_form.html"
    change_list_template = "admin/crm/leadimport/change_list.html"

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rows = selectors.lead_rows_for_page(lead_import_id=int(object_id), limit=ROWS_SHOWN)
        shown = [(row, describe_reason(row.reason)) for row in rows]
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "rows": shown, "rows_limit": ROWS_SHOWN}
        )

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="crm_leadimport_upload"),
            path(
                "<int:pk>/report.csv",
                self.admin_site.admin_view(self.report_view),
                name="crm_leadimport_report",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = LeadUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            now = timezone.now()
            try:
                if upload.size <= settings.LEAD_IMPORT_SYNC_MAX_BYTES:
                    lead_import = leads.import_leads(
                        stream=upload.file,
                        file_name=upload.name,
                        source=form.cleaned_data["source"],
                        now=now,
                        created_by=signed_in_user(request),
                    )
                else:
                    lead_import = leads.start_lead_import(
                        stream=upload.file,
                        file_name=upload.name,
                        source=form.cleaned_data["source"],
                        now=now,
                        created_by=signed_in_user(request),
                        keep_file=True,
                    )
                    transaction.on_commit(
                        lambda: import_leads_task.delay(import_id=lead_import.pk), robust=True
                    )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                return HttpResponseRedirect(reverse("admin:crm_leadimport_change", args=[lead_import.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Import leads"),
            "max_mb": settings.LEAD_IMPORT_MAX_BYTES // 1048576,
        }
        return render(request, "admin/crm/leadimport/upload.html", context)

    def report_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        lead_import = get_object_or_404(LeadImport, pk=pk)
        rows = (
            (row, company, status, code, leads.format_score(score), describe_reason(reason))
            for row, company, status, code, score, reason in selectors.lead_report_rows(
                lead_import_id=lead_import.pk
            )
        )
        return csv_response(
            filename=f"lead-import-{lead_import.pk}-report.csv",
            header=list(leads.REPORT_HEADER),
            rows=rows,
        )


# ---------------------------------------------------------------------------------- review queue


@admin.register(ReviewLeadRow)
class ReviewLeadRowAdmin(admin.ModelAdmin):
    list_display = [
        "company_name",
        "person",
        "email",
        "customer",
        "score",
        "reason_text",
        "lead_import",
        "row",
        "resolve_link",
    ]
    list_filter = ["lead_import__source"]
    search_fields = ["company_name", "customer_code", "reason"]
    list_select_related = ["customer", "lead_import"]
    actions = ["confirm_suggested", "create_prospects", "dismiss"]

    def get_queryset(self, request):
        return selectors.review_queue().select_related("customer", "lead_import")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("customers.change_leadrow")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("customers.view_leadrow") or self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("reason"))
    def reason_text(self, obj):
        return describe_reason(obj.reason)

    @admin.display(description=gettext_lazy("person"))
    def person(self, obj):
        return (obj.data or {}).get("person_name", "")

    @admin.display(description=gettext_lazy("e-mail"))
    def email(self, obj):
        return (obj.data or {}).get("email", "")

    @admin.display(description="")
    def resolve_link(self, obj):
        from django.utils.html import format_html

        url = reverse("admin:crm_reviewleadrow_resolve", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Decide"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="crm_reviewleadrow_resolve",
            ),
            *super().get_urls(),
        ]

    def _resolve_many(self, request, queryset, action: str) -> None:
        done = 0
        for row in queryset:
            try:
                leads.resolve_lead_row(lead_row=row, action=action, actor=request.user, now=timezone.now())
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{row}: {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)d lead(s) decided.") % {"n": done})

    @admin.action(description=gettext_lazy("Confirm the suggested customer"))
    def confirm_suggested(self, request, queryset):
        self._resolve_many(request, queryset, "confirm")

    @admin.action(description=gettext_lazy("Create prospects (未取引先)"))
    def create_prospects(self, request, queryset):
        self._resolve_many(request, queryset, "prospect")

    @admin.action(description=gettext_lazy("Dismiss"))
    def dismiss(self, request, queryset):
        self._resolve_many(request, queryset, "dismiss")

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        row = get_object_or_404(LeadRow.objects.select_related("customer", "lead_import"), pk=pk)
        candidates = leads.candidate_customers(lead_row=row)
        if request.method == "POST":
            action = request.POST.get("action", "")
            customer = None
            if action == "link":
                code = (request.POST.get("customer_code") or request.POST.get("other_code") or "").strip()
                customer = Customer.objects.filter(code=code).first()
                if customer is None:
                    messages.error(request, _("No customer with code %(code)s.") % {"code": code or "-"})
                    return HttpResponseRedirect(request.path)
            try:
                leads.resolve_lead_row(
                    lead_row=row,
                    action=action,
                    actor=signed_in_user(request),
                    now=timezone.now(),
                    customer=customer,
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(request.path)
            messages.success(request, _("Lead decided."))
            return HttpResponseRedirect(reverse("admin:crm_reviewleadrow_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "row": row,
            "reason_text": describe_reason(row.reason),
            "candidates": candidates,
            "opts": self.model._meta,
            "title": _("Decide lead %(name)s") % {"name": row.company_name},
        }
        return render(request, "admin/crm/leadrow/resolve.html", context)


# ---------------------------------------------------------------------------------- coverage


def coverage_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Key-person coverage: key accounts by role, those without a decision maker, unowned marketing contacts."""
    from django.contrib.admin import site

    now = timezone.now()
    try:
        months = max(1, min(60, int(request.GET.get("months", settings.KEY_PERSON_RECENT_MONTHS))))
    except ValueError:
        months = settings.KEY_PERSON_RECENT_MONTHS
    if request.GET.get("export") == "marketing":
        return csv_response(
            filename="marketing-list.csv",
            header=["customer_code", "customer_name", "department", "name", "email", "basis"],
            rows=(
                (
                    c.customer.code,
                    c.customer.name,
                    c.department.name if c.department else "",
                    c.name,
                    c.email,
                    "buyer" if c.user_id and not c.marketing_consent else "consent",
                )
                for c in selectors.marketing_list().iterator(chunk_size=2000)
            ),
        )
    ids = selectors.key_account_ids(now=now)
    accounts = Customer.objects.filter(pk__in=ids).select_related("owner")
    coverage = selectors.key_person_coverage(customers=accounts, now=now, months=months)
    departments = selectors.departments_by_customer(customer_ids=ids)
    for cov in coverage:
        cov.departments = departments.get(cov.customer.pk, [])
    unowned = selectors.unowned_marketing_contacts()
    context = {
        "marketing_count": selectors.marketing_list().count(),
        **site.each_context(request),
        "title": _("Key-person coverage"),
        "months": months,
        "coverage": coverage,
        "roles": [(r.value, r.label) for r in selectors.KEY_ROLES],
        "missing_dm": selectors.list_key_accounts_missing_decision_maker(now=now),
        "unowned": unowned[:200],
        "unowned_count": unowned.count(),
    }
    return render(request, "admin/crm/coverage.html", context)


@admin.register(LeadRow)
class LeadRowAdmin(admin.ModelAdmin):
    """Every imported row (the audit trail); the queue of rows to decide is ReviewLeadRowAdmin."""

    list_display = [
        "lead_import",
        "row",
        "company_name",
        "status",
        "customer",
        "score",
        "reason_text",
        "resolution",
        "contact",
    ]
    list_filter = ["status", "resolution", "lead_import__source"]
    search_fields = ["company_name", "customer_code"]
    list_select_related = ["lead_import", "contact", "customer"]
    readonly_fields = [f.name for f in LeadRow._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=gettext_lazy("reason"))
    def reason_text(self, obj):
        return describe_reason(obj.reason)


@admin.register(CodeSequence)
class CodeSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "last_value"]
    readonly_fields = ["name", "last_value"]

    def has_add_permission(self, request):
        return False
