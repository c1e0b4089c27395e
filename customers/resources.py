"""CSV import/export of customers in admin (beside the ERP's customer master); key: customer code."""

from __future__ import annotations

from import_export import fields, widgets

from b2bshop.resources import SafeModelResource
from customers.models import Customer, PriceGroup


class CustomerResource(SafeModelResource):
    price_group = fields.Field(
        attribute="price_group",
        column_name="price_group",
        widget=widgets.ForeignKeyWidget(PriceGroup, "code"),
    )

    class Meta:
        model = Customer
        import_id_fields = ["code"]
        fields = [
            "code", "name", "name_kana", "trading_status", "price_group", "prefecture", "postal_code", "address",
            "phone", "domain", "closing_day", "payment_terms", "payment_terms_days", "credit_limit",
            "invoice_registration_number", "ec_enabled", "is_key_account",
        ]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True  # model validation (prefecture, closing day, T-number) per row
