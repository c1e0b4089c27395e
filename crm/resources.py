"""CSV export of contacts in admin (imports go through the lead import, which matches companies)."""

from __future__ import annotations

from import_export import fields, widgets

from b2bshop.resources import SafeModelResource
from crm.models import Contact
from customers.models import Customer


class ContactResource(SafeModelResource):
    customer = fields.Field(
        attribute="customer", column_name="customer_code", widget=widgets.ForeignKeyWidget(Customer, "code")
    )
    department = fields.Field(attribute="department__name", column_name="department")
    owner = fields.Field(attribute="owner__display_name", column_name="owner")

    class Meta:
        model = Contact
        fields = [
            "customer", "department", "name", "name_kana", "title", "email", "phone", "role", "is_key_person",
            "owner", "marketing_consent", "marketing_consent_date", "last_contacted_at",
        ]  # fmt: skip
        export_order = fields
