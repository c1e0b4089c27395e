"""Storefront forms for the company admin's user management."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from b2bshop.errors import ValidationFailed
from customers.models import User
from customers.services import parse_spending_limit, queue_password_reset_email


class SpendingLimitField(forms.CharField):
    """Whole yen ("50000", "50,000", "¥50,000"); empty = no limit."""

    def clean(self, value: str | None) -> Decimal | None:
        value = super().clean(value)
        try:
            return parse_spending_limit(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)
    spending_limit = SpendingLimitField(
        label=_("Spending limit per order (yen, tax included)"),
        required=False,
        help_text=_("Orders above it wait for an approver. Leave empty for no limit."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class InviteForm(MemberForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    full_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    field_order = ["email", "full_name", "role", "spending_limit"]


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail is an outbox row written in the request's transaction."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        queue_password_reset_email(user=context["user"], now=timezone.now())
