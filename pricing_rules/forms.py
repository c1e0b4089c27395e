"""The admin form for a trading rule: real widgets per kind and scope, validated by the engine like load_rules.

Scope values are chosen from what exists (47 prefectures, price groups, categories, customers and
SKUs with autocomplete), so a typo such as 東京 for 東京都 cannot silently stop a rule from applying.
A stored rule that already carries an unknown value shows it, marked, and is refused until it is fixed.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple, FilteredSelectMultiple
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Price, Product
from customers.models import PREFECTURES, Customer, PriceGroup
from pricing_rules import engine, rules_file, services
from pricing_rules.models import Rule

RULE_FIELDS = (
    "code", "kind", "quantity", "use_case_quantity", "amount", "below", "fee", "free_from", "tax_rate",
    "scope", "valid_from", "valid_to", "active", "priority", "description",
)  # fmt: skip
KIND_SPECIFIC = ("quantity", "use_case_quantity", "amount", "below", "fee", "free_from", "tax_rate")
SCOPE_FORM_FIELDS = {
    "prefectures": "scope_prefectures",
    "price_groups": "scope_price_groups",
    "categories": "scope_categories",
    "customers": "scope_customers",
    "skus": "scope_skus",
}


def kind_fields() -> dict[str, list[str]]:
    """Which form fields each kind uses (the engine's table); the editor shows only those."""
    return {kind: sorted(fields) for kind, fields in engine.KIND_FIELDS.items()}


def unknown_scope_values(scope: dict[str, Any]) -> dict[str, list[str]]:
    """Scope codes that name no price group, category, customer or SKU (one query per dimension used)."""
    lookups = {
        "price_groups": (PriceGroup.objects, "code"),
        "categories": (Category.objects, "code"),
        "customers": (Customer.objects, "code"),
        "skus": (Product.objects, "sku"),
    }
    missing: dict[str, list[str]] = {}
    for key, (manager, column) in lookups.items():
        wanted = set(scope.get(key) or [])
        if not wanted:
            continue
        found = set(manager.filter(**{f"{column}__in": wanted}).values_list(column, flat=True))
        if wanted - found:
            missing[key] = sorted(wanted - found)
    return missing


class _UnknownChoices(forms.MultipleChoiceField):
    """A multiple choice that refuses values outside ``known`` with a message naming them."""

    def __init__(self, *, known: list[str], what: Any, **kwargs: Any) -> None:
        self.known = known
        self.what = what
        super().__init__(choices=[(v, v) for v in known], **kwargs)

    def valid_value(self, value: Any) -> bool:
        return True  # checked in validate() so the message can name every unknown value at once

    def validate(self, value: Any) -> None:
        super().validate(value)
        unknown = [v for v in value if v not in self.known]
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown %(what)s: %(values)s. Choose from the list.")
                % {"what": self.what, "values": "、".join(unknown)},
                code="unknown_scope_value",
            )


class RuleForm(forms.ModelForm):
    scope_prefectures = _UnknownChoices(
        known=list(PREFECTURES),
        what=_("prefecture"),
        label=_("prefectures"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_price_groups = forms.ModelMultipleChoiceField(
        label=_("price groups"),
        queryset=PriceGroup.objects.order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_categories = forms.ModelMultipleChoiceField(
        label=_("categories"),
        queryset=Category.objects.order_by("code"),
        to_field_name="code",
        required=False,
        widget=FilteredSelectMultiple(_("categories"), is_stacked=False),
    )
    # Autocomplete through the price list's relations: the admin's own endpoint, searching by
    # code, name, kana and phone (customers) or SKU, name, kana and JAN (products).
    scope_customers = forms.ModelMultipleChoiceField(
        label=_("customers"),
        queryset=Customer.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Price._meta.get_field("customer"), admin.site),
    )
    scope_skus = forms.ModelMultipleChoiceField(
        label=_("SKUs"),
        queryset=Product.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Price._meta.get_field("product"), admin.site),
    )

    class Meta:
        model = Rule
        fields = [name for name in RULE_FIELDS if name != "scope"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["data-kind-fields"] = json.dumps(kind_fields())
        scope = self.instance.scope or {}
        prefectures = list(scope.get("prefectures", []))
        unknown = [p for p in prefectures if p not in PREFECTURES]
        if unknown:  # show a stored bad value, checked, so the person sees it and unticks it
            field = cast(forms.MultipleChoiceField, self.fields["scope_prefectures"])
            mark = gettext("unknown")
            known = cast(list[tuple[str, str]], field.choices)  # a plain list: PREFECTURES, set above
            field.choices = [*known, *((p, f"{p} ({mark})") for p in unknown)]
        self.initial["scope_prefectures"] = prefectures
        self.initial["scope_price_groups"] = list(scope.get("price_groups", []))
        self.initial["scope_categories"] = list(scope.get("categories", []))
        self.initial["scope_customers"] = list(
            Customer.objects.filter(code__in=scope.get("customers", [])).values_list("pk", flat=True)
        )
        self.initial["scope_skus"] = list(
            Product.objects.filter(sku__in=scope.get("skus", [])).values_list("pk", flat=True)
        )
        self.missing = unknown_scope_values(scope)
        for key, values in self.missing.items():
            self.fields[SCOPE_FORM_FIELDS[key]].help_text = gettext(
                "Saved with unknown values that will be removed: %(values)s"
            ) % {"values": "、".join(values)}

    def _scope(self, cleaned: dict[str, Any]) -> dict[str, list[str]]:
        scope = {
            "prefectures": list(cleaned.get("scope_prefectures") or []),
            "price_groups": [g.code for g in cleaned.get("scope_price_groups") or []],
            "categories": [c.code for c in cleaned.get("scope_categories") or []],
            "customers": [c.code for c in cleaned.get("scope_customers") or []],
            "skus": [p.sku for p in cleaned.get("scope_skus") or []],
        }
        return {key: sorted(values) for key, values in scope.items() if values}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        kind = cleaned.get("kind")
        used = engine.KIND_FIELDS.get(kind or "", frozenset())
        for name in KIND_SPECIFIC:  # fields of other kinds are hidden in the editor: drop what they hold
            if name not in used:
                cleaned[name] = False if name == "use_case_quantity" else None
        probe = Rule(**{name: cleaned.get(name) for name in RULE_FIELDS if name != "scope"})
        probe.scope = self._scope(cleaned)
        probe.priority = cleaned.get("priority") or 0
        probe.tax_rate = cleaned.get("tax_rate") or 10
        probe.description = cleaned.get("description") or ""
        probe.use_case_quantity = bool(cleaned.get("use_case_quantity"))
        try:
            rule = services.parse_rule(services.rule_document(probe))
        except rules_file.RuleFormatError as exc:
            raise forms.ValidationError(str(exc)) from None
        cleaned.update(services.row_fields(rule))
        return cleaned

    def save(self, commit: bool = True) -> Rule:
        self.instance.scope = self.cleaned_data["scope"]
        return super().save(commit)

    class Media:
        js = ["pricing_rules/rule_form.js"]
        css = {"all": ["backoffice/backoffice.css"]}
