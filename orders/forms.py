"""Storefront forms for cart, quick order, templates, checkout and staff proxy orders."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from b2bshop.text import full_address
from orders.models import Order


def new_key() -> str:
    return uuid.uuid4().hex


class QuickOrderForm(forms.Form):
    lines = forms.CharField(
        label=_("SKU and quantity, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "autocapitalize": "off"}),
    )
    file = forms.FileField(label=_("or upload a CSV file (sku,quantity)"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("lines", "").strip() and not cleaned.get("file"):
            raise forms.ValidationError(_("Enter at least one line or choose a file."))
        return cleaned


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=100)


class CheckoutForm(forms.Form):
    ship_to = forms.TypedChoiceField(label=_("Deliver to"), coerce=int, required=False, empty_value=None)
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    po_number = forms.CharField(label=_("Your PO number"), max_length=64, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128)

    def __init__(self, *args, ship_tos=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["ship_to"]).choices = [("", _("Default address"))] + [
            (s.pk, f"{s.name} ({full_address(s.prefecture, s.address)})") for s in ship_tos
        ]


class ProxyOrderForm(forms.Form):
    customer = forms.CharField(
        label=_("Customer (name, kana, code or phone)"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(Order.Channel.PHONE, _("Phone")), (Order.Channel.FAX, _("FAX"))]
    )
    ship_to = forms.TypedChoiceField(label=_("Deliver to"), coerce=int, required=False, empty_value=None)
    lines = forms.CharField(
        label=_("SKU and quantity, one per line"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "autocapitalize": "off", "placeholder": "BOL-00001 100\nDRI-00042 24"}
        ),
    )
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    po_number = forms.CharField(label=_("Customer PO number"), max_length=64, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128)

    def __init__(self, *args, ship_tos=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["ship_to"]).choices = [("", _("Default address"))] + [
            (s.pk, str(s)) for s in ship_tos
        ]


class OrderSearchForm(forms.Form):
    """Order history search; every field optional."""

    q = forms.CharField(label=_("Order number, PO number, SKU or product"), max_length=100, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
