"""Staff: reminder e-mails with their items and whether an order followed (conversion), and opt-outs."""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from engagement import rollout, selectors
from engagement.models import EmailOptOut, PilotCustomer, ReminderDigest, ReorderReminder


class ReorderReminderInline(admin.TabularInline):
    model = ReorderReminder
    extra = 0
    can_delete = False
    fields = readonly_fields = ("product", "cycle_key", "median_gap_days", "due_date", "quantity")

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


@admin.register(PilotCustomer)
class PilotCustomerAdmin(admin.ModelAdmin):
    """Pilot dashboard: filter by prefecture or price group (or search one customer), enable and invite."""

    list_display = [
        "code",
        "name",
        "prefecture",
        "price_group",
        "ec_enabled",
        "buyers",
        "invited",
        "activated",
        "online_share",
    ]
    list_filter = ["ec_enabled", "prefecture", "price_group"]
    search_fields = ["code", "name", "name_kana"]
    list_select_related = ["price_group"]
    actions = ["enable_and_invite", "disable"]
    change_list_template = "admin/engagement/pilotcustomer/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PilotCustomer]:
        # PilotCustomer is a proxy of Customer: the annotated rows are PilotCustomer instances.
        return cast(
            QuerySet[PilotCustomer],
            rollout.with_pilot_figures(
                super().get_queryset(request).filter(trading_status=Customer.TradingStatus.CUSTOMER)
            ),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("customers.change_customer")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("buyers"))
    def buyers(self, obj: PilotCustomer) -> int:
        return obj.buyer_count  # type: ignore[attr-defined]  # annotated by rollout.with_pilot_figures

    @admin.display(description=_("invited"))
    def invited(self, obj: PilotCustomer) -> int:
        return obj.invited_count or 0  # type: ignore[attr-defined]  # annotated by rollout.with_pilot_figures

    @admin.display(description=_("activated"))
    def activated(self, obj: PilotCustomer) -> int:
        return obj.activated_count or 0  # type: ignore[attr-defined]  # annotated by rollout.with_pilot_figures

    @admin.display(description=_("online share of orders"))
    def online_share(self, obj: PilotCustomer) -> str:
        orders, online = obj.order_count or 0, obj.online_count or 0  # type: ignore[attr-defined]  # annotated by rollout.with_pilot_figures
        return f"{round(100 * online / orders)}% ({online}/{orders})" if orders else "-"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            cl = response.context_data["cl"]
            response.context_data["pilot_totals"] = rollout.pilot_totals(cl.queryset)
        return response

    @admin.action(description=_("Enable web ordering and invite their buyers"))
    def enable_and_invite(self, request: HttpRequest, queryset: QuerySet[PilotCustomer]) -> None:
        result = rollout.enable_web_ordering(
            customer_ids=list(queryset.values_list("pk", flat=True)), now=timezone.now()
        )
        self.message_user(
            request,
            _("Web ordering enabled for %(n)d customer(s); %(i)d invitation(s) queued.")
            % {"n": result.enabled, "i": result.invited},
            messages.SUCCESS,
        )

    @admin.action(description=_("Disable web ordering (phone/FAX orders stay possible)"))
    def disable(self, request: HttpRequest, queryset: QuerySet[PilotCustomer]) -> None:
        count = rollout.disable_web_ordering(customer_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, _("Web ordering disabled for %(n)d customer(s).") % {"n": count}, messages.SUCCESS
        )
