from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders import outbox
from orders.models import (
    Cart,
    CartLine,
    Holiday,
    Order,
    OrderEvent,
    OrderFee,
    OrderLine,
    OrderPush,
    OrderTemplate,
    OrderTemplateLine,
)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["line_no", "sku", "name", "unit", "quantity", "unit_price", "amount", "tax_rate"]
    exclude = ["product"]

    def has_add_permission(self, request, obj=None):
        return False


class OrderFeeInline(admin.TabularInline):
    model = OrderFee
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "amount", "tax_rate", "rule_code"]

    def has_add_permission(self, request, obj=None):
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["type", "occurred_at", "tracking_number", "recorded_at", "actor"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Placed orders are read-only: their prices and rules are a snapshot."""

    list_display = ["number", "customer", "channel", "status", "total", "placed_at"]
    list_filter = ["status", "channel"]
    search_fields = ["number", "customer__code", "customer__name", "po_number"]
    list_select_related = ["customer"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderFeeInline, OrderEventInline]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
