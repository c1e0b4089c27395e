from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from b2bshop.resources import CsvImportExportMixin
from catalog.models import Category, Price, Product, Stock, StockHold, VisibilityRule
from catalog.resources import PriceResource, ProductResource
from pricing_rules.admin_columns import yen_column


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "parent", "sort_order"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


class StockInline(admin.StackedInline):
    model = Stock
    can_delete = False
    readonly_fields = ["on_hand", "held", "as_of", "updated_at"]


@admin.register(Product)
class ProductAdmin(CsvImportExportMixin, admin.ModelAdmin):
    """Products come from the ERP; CSV import/export (preview, per-row errors) is for what staff keep beside it."""

    resource_classes = [ProductResource]
    list_display = [
        "sku",
        "name",
        "category",
        "unit",
        "case_quantity",
        yen_column("base_price", _("list price")),
        "tax_rate",
        "active",
    ]
    list_filter = ["active", "tax_rate", "category"]
    search_fields = ["sku", "name", "name_kana", "jan_code"]
    list_select_related = ["category"]
    autocomplete_fields = ["category"]
    inlines = [StockInline]


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["product", "on_hand", "held", "as_of", "updated_at"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product"]
    readonly_fields = ["product", "on_hand", "held", "as_of", "updated_at"]


@admin.register(Price)
class PriceAdmin(CsvImportExportMixin, admin.ModelAdmin):
    """Import needs the change permission on prices: rules managers only (customers.roles)."""

    resource_classes = [PriceResource]
    list_display = [
        "product",
        "customer",
        "price_group",
        "min_quantity",
        yen_column("unit_price", _("unit price")),
        "valid_from",
        "valid_to",
    ]
    list_filter = ["price_group"]
    search_fields = ["product__sku", "customer__code", "customer__name"]
    list_select_related = ["product", "customer", "price_group"]
    autocomplete_fields = ["product", "customer", "price_group"]


@admin.register(StockHold)
class StockHoldAdmin(admin.ModelAdmin):
    list_display = ["order", "product", "quantity", "release_after", "released_at"]
    list_select_related = ["order", "product"]
    search_fields = ["order__number", "product__sku"]
    readonly_fields = ["order", "product", "quantity", "release_after", "released_at", "created_at"]


@admin.register(VisibilityRule)
class VisibilityRuleAdmin(admin.ModelAdmin):
    """表示グループ: hide categories or products from a customer or price group, or allow only some."""

    list_display = ["customer", "price_group", "effect", "category", "product", "updated_at"]
    list_filter = ["effect", "price_group"]
    search_fields = [
        "customer__code",
        "customer__name",
        "price_group__code",
        "category__code",
        "product__sku",
    ]
    list_select_related = ["customer", "price_group", "category", "product"]
    autocomplete_fields = ["customer", "product"]
    fields = ["customer", "price_group", "effect", "category", "product"]
