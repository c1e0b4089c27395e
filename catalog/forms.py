from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import PREFECTURE_CHOICES

_POSTAL = re.compile(r"^(\d{3})-?(\d{4})$")


class ShipToForm(forms.Form):
    name = forms.CharField(label=_("Delivery name"), max_length=200)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "postal-code",
                # static/js/shop.js fills prefecture and address from catalog:postal_code.
                "data-postal-lookup": "1",
                "aria-describedby": "postal-status",
            }
        ),
    )
    prefecture = forms.ChoiceField(label=_("Prefecture"), choices=[("", "---------"), *PREFECTURE_CHOICES])
    address = forms.CharField(label=_("Address"), max_length=300)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_postal_code(self) -> str:
        match = _POSTAL.match(self.cleaned_data["postal_code"].strip())
        if not match:
            raise forms.ValidationError(_("Enter a postal code such as 100-0001."))
        return f"{match.group(1)}-{match.group(2)}"
