"""CSV import/export of products and prices in admin (beside the ERP feed); keys are SKU and codes."""

from __future__ import annotations

from typing import Any

from import_export import fields, widgets

from b2bshop.resources import SafeModelResource
from catalog.models import Category, Price, Product
from catalog.sku import InvalidSku, normalize_sku
from catalog.text import product_search_text
from customers.models import Customer, PriceGroup


class ProductResource(SafeModelResource):
    category = fields.Field(
        attribute="category", column_name="category", widget=widgets.ForeignKeyWidget(Category, "code")
    )

    class Meta:
        model = Product
        import_id_fields = ["sku"]
        fields = [
            "sku", "name", "name_en", "name_kana", "category", "unit", "case_quantity", "jan_code", "tax_rate",
            "base_price", "cost_price", "moq", "order_multiple", "max_quantity", "active", "description",
        ]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = False

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # One SKU rule for every write (catalog/sku.py): look-alike SKUs are one product; bad ones are row errors.
        try:
            row["sku"] = normalize_sku(str(row.get("sku") or ""))
        except InvalidSku as exc:
            raise ValueError(exc.message) from None

    def before_save_instance(self, instance: Product, row: Any, **kwargs: Any) -> None:
        # Search by name, kana, SKU or JAN reads this column: keep it in step, as the ERP import does.
        instance.search_text = product_search_text(
            sku=instance.sku,
            name=instance.name,
            name_en=instance.name_en,
            name_kana=instance.name_kana,
            jan_code=instance.jan_code,
        )


class PriceResource(SafeModelResource):
    product = fields.Field(
        attribute="product", column_name="sku", widget=widgets.ForeignKeyWidget(Product, "sku")
    )
    customer = fields.Field(
        attribute="customer", column_name="customer_code", widget=widgets.ForeignKeyWidget(Customer, "code")
    )
    price_group = fields.Field(
        attribute="price_group",
        column_name="price_group",
        widget=widgets.ForeignKeyWidget(PriceGroup, "code"),
    )

    class Meta:
        model = Price
        import_id_fields = ["product", "customer", "price_group", "min_quantity", "valid_from"]
        fields = [
            "product",
            "customer",
            "price_group",
            "min_quantity",
            "unit_price",
            "valid_from",
            "valid_to",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = False
