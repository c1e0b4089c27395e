"""The admin form for a trading rule: validated by the engine, like load_rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pricing_rules import rules_file, services
from pricing_rules.models import Rule

RULE_FIELDS = (
    "code", "kind", "quantity", "use_case_quantity", "amount", "below", "fee", "free_from", "tax_rate",
    "scope", "valid_from", "valid_to", "active", "priority", "description",
)  # fmt: skip


class RuleForm(forms.ModelForm):
    scope = forms.JSONField(
        label=_("scope"),
        required=False,
        initial=dict,
        help_text=_(
            'JSON, e.g. {"categories": ["BOLT"], "prefectures": ["北海道"]}; keys: customers, price_groups, '
            "prefectures, categories, skus. Empty = everyone."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Rule
        fields = list(RULE_FIELDS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        probe = Rule(**{name: cleaned.get(name) for name in RULE_FIELDS})
        probe.scope = cleaned.get("scope") or {}
        probe.priority = cleaned.get("priority") or 0
        probe.tax_rate = cleaned.get("tax_rate") or 10
        probe.description = cleaned.get("description") or ""
        try:
            rule = services.parse_rule(services.rule_document(probe))
        except rules_file.RuleFormatError as exc:
            raise forms.ValidationError(str(exc)) from None
        cleaned.update(services.row_fields(rule))
        return cleaned
