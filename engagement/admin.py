"""Staff: reminder e-mails with their items and whether an order followed (conversion), and opt-outs."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from engagement import selectors
from engagement.models import EmailOptOut, ReminderDigest, ReorderReminder


class ReorderReminderInline(admin.TabularInline):
    model = ReorderReminder
    extra = 0
    can_delete = False
    fields = ["product", "cycle_key", "median_gap_days", "due_date", "quantity"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReminderDigest)
class ReminderDigestAdmin(admin.ModelAdmin):
    list_display = ["on_date", "customer", "recipient", "email", "converted"]
    list_filter = ["on_date"]
    search_fields = ["customer__code", "customer__name", "recipient__email"]
    list_select_related = ["customer", "recipient", "email"]
    readonly_fields = ["customer", "on_date", "recipient", "email", "created_at"]
    inlines = [ReorderReminderInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderDigest]:
        return selectors.with_conversion(super().get_queryset(request))

    @admin.display(boolean=True, description=_("ordered within 14 days"), ordering="converted")
    def converted(self, obj: ReminderDigest) -> bool:
        return bool(getattr(obj, "converted", False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "created_at"]
    list_filter = ["topic"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
