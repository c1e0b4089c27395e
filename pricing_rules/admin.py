"""Trading rules in admin: one line per rule ("¥10,000未満で¥500"), an editor with real widgets, a readable history."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from b2bshop.admin_base import ReadOnlyModelAdmin
from customers.selectors import display_name
from pricing_rules import selectors, services
from pricing_rules.forms import RuleForm
from pricing_rules.messages import rule_summary, scope_summary
from pricing_rules.models import Rule, RuleChange


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Every save and delete goes through pricing_rules.services, which keeps the change history."""

    form = RuleForm
    list_display = ["code", "kind", "condition", "applies_to", "active", "priority", "valid_from", "valid_to"]
    list_display_links = ["code", "condition"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "description"]
    readonly_fields = ["history"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "description"]}),
        (
            _("Condition and amount"),
            {"fields": ["quantity", "use_case_quantity", "amount", "below", "fee", "free_from", "tax_rate"]},
        ),
        (
            _("Applies to (empty = everyone)"),
            {
                "fields": [
                    "scope_prefectures",
                    "scope_price_groups",
                    "scope_categories",
                    "scope_customers",
                    "scope_skus",
                ]
            },
        ),
        (_("Validity"), {"fields": ["valid_from", "valid_to", "active", "priority", "history"]}),
    ]

    @admin.display(description=_("condition"))
    def condition(self, obj: Rule) -> str:
        return rule_summary(services.rule_document(obj))

    @admin.display(description=_("applies to"))
    def applies_to(self, obj: Rule) -> str:
        return scope_summary(obj.scope)

    @admin.display(description=_("history"))
    def history(self, obj: Rule | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:pricing_rules_rulechange_changelist") + f"?rule_code={obj.code}"
        return format_html('<a href="{}">{}</a>', url, _("show every change of this rule"))

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        services.save_rule(row=obj, actor=request.user, source="admin")  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Rule) -> None:
        services.delete_rule(row=obj, actor=request.user, source="admin")  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        for row in queryset:
            services.delete_rule(row=row, actor=request.user, source="admin")  # type: ignore[arg-type]
        self.message_user(request, _("Deleted rules are kept in the rule history."), messages.INFO)


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyModelAdmin):
    """The rule history: who changed what when, as a field-by-field diff (raw JSON behind 詳細)."""

    list_display = ["rule_code", "action_label", "changes", "changed_by_name", "source", "changed_at"]
    list_filter = ["action", "source"]
    search_fields = ["rule_code"]
    list_select_related = ["changed_by"]
    fields = ("rule_code", "action_label", "changed_by_name", "source", "changed_at", "diff")
    readonly_fields = fields

    @admin.display(description=_("action"))
    def action_label(self, obj: RuleChange) -> str:
        return str(selectors.ACTION_LABELS.get(obj.action, obj.action))

    @admin.display(description=_("changed by"))
    def changed_by_name(self, obj: RuleChange) -> str:
        return display_name(obj.changed_by)

    @admin.display(description=_("changes"))
    def changes(self, obj: RuleChange) -> str:
        return "、".join(
            str(row.label) for row in selectors.rule_change_diff(before=obj.before, after=obj.after)
        )

    @admin.display(description=_("what changed"))
    def diff(self, obj: RuleChange) -> str:
        return render_to_string(
            "admin/pricing_rules/rulechange/diff.html",
            {
                "rows": selectors.rule_change_diff(before=obj.before, after=obj.after),
                "raw": json.dumps({"before": obj.before, "after": obj.after}, ensure_ascii=False, indent=2),
            },
        )
