import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from customers.selectors import display_name
from orders import outbox
from orders.models import (
    Cart,
    CartLine,
    Holiday,
    Order,
    OrderPush,
    OrderTemplate,
    OrderTemplateLine,
)
from orders.selectors import snapshot_view
from pricing_rules.templatetags.money_tags import yen

ORDER_SUMMARY_FIELDS = (
    "number",
    "customer_display",
    "status",
    "channel",
    "placed_at",
    "placed_by_display",
    "keyed_by_display",
    "po_number",
    "requested_delivery_date",
    "note",
    "tracking_number",
)
"""The order page's first block, shown read-only."""


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Placed orders are read-only: their prices and rules are a snapshot, shown as tables (raw JSON behind 詳細)."""

    list_display = ["number", "customer_display", "channel", "status", "total_display", "placed_at"]
    list_filter = ["status", "channel"]
    search_fields = ["number", "customer__code", "customer__name", "po_number"]
    list_select_related = ["customer"]
    date_hierarchy = "placed_at"
    fieldsets = [
        (
            None,
            {"fields": ORDER_SUMMARY_FIELDS},
        ),
        (_("Deliver to"), {"fields": ["ship_to_address"]}),
        (_("Amounts"), {"fields": ["amounts"]}),
        (_("Lines, fees, rules applied and tax"), {"fields": ["snapshot_tables", "events"]}),
        (_("Details"), {"fields": ["raw_details"]}),
    ]
    # Everything is read-only: an order changes only through its services (ERP events, approval).
    readonly_fields = [
        *ORDER_SUMMARY_FIELDS,
        "ship_to_address",
        "amounts",
        "snapshot_tables",
        "events",
        "raw_details",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return super().get_queryset(request).select_related("customer", "placed_by", "keyed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # Nothing on this page is editable: no save buttons that look as if something could change.
        context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().changeform_view(request, object_id, form_url, context)

    @admin.display(description=_("customer"), ordering="customer__code")
    def customer_display(self, order: Order) -> str:
        return str(order.customer)

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order: Order) -> str:
        return yen(order.total)

    @admin.display(description=_("placed by"))
    def placed_by_display(self, order: Order) -> str:
        return display_name(order.placed_by)

    @admin.display(description=_("keyed by (staff)"))
    def keyed_by_display(self, order: Order) -> str:
        return display_name(order.keyed_by)

    @admin.display(description=_("address"))
    def ship_to_address(self, order: Order) -> str:
        return render_to_string("admin/orders/order/ship_to.html", {"ship_to": order.ship_to or {}})

    @admin.display(description=_("amounts"))
    def amounts(self, order: Order) -> str:
        return render_to_string("admin/orders/order/amounts.html", {"order": order})

    @admin.display(description=_("snapshot"))
    def snapshot_tables(self, order: Order) -> str:
        return render_to_string("admin/orders/order/snapshot.html", snapshot_view(order=order))

    @admin.display(description=_("status timeline"))
    def events(self, order: Order) -> str:
        return render_to_string(
            "admin/orders/order/events.html", {"events": order.events.select_related("actor")}
        )

    @admin.display(description=_("details"))
    def raw_details(self, order: Order) -> str:
        raw = {
            "ship_to": order.ship_to,
            "snapshot": order.snapshot,
            "idempotency_key": order.idempotency_key,
            "cart_fingerprint": order.cart_fingerprint,
        }
        return format_html(
            '<details class="raw-json"><summary>{}</summary><pre>{}</pre></details>',
            _("Details"),
            json.dumps(raw, ensure_ascii=False, indent=2),
        )


@admin.register(OrderPush)
class OrderPushAdmin(admin.ModelAdmin):
    """Pending and failed pushes (filter by status); failed ones can be sent again."""

    list_display = [
        "order",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["order__number"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in OrderPush._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed pushes again"))
    def retry_failed(self, request, queryset):
        count = outbox.retry_failed_pushes(
            outbox_ids=queryset.values_list("id", flat=True), now=timezone.now()
        )
        self.message_user(request, _("%(n)d failed push(es) queued again.") % {"n": count}, messages.SUCCESS)


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["buyer", "updated_at"]
    search_fields = ["buyer__email"]
    list_select_related = ["buyer"]
    inlines = [CartLineInline]


# ---------------------------------------------------------------- checkout: delivery calendar and order templates


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Days without delivery (weekends are always closed); checkout refuses them as delivery dates."""

    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


class OrderTemplateLineInline(admin.TabularInline):
    model = OrderTemplateLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(OrderTemplate)
class OrderTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "created_by", "created_at"]
    search_fields = ["name", "customer__code", "customer__name"]
    list_select_related = ["customer", "created_by"]
    raw_id_fields = ["customer", "created_by"]
    inlines = [OrderTemplateLineInline]
