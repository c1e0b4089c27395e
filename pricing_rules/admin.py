from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from pricing_rules import services
from pricing_rules.forms import RuleForm
from pricing_rules.models import Rule, RuleChange


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Every save and delete goes through pricing_rules.services, which keeps the change history."""

    form = RuleForm
    list_display = ["code", "kind", "active", "priority", "valid_from", "valid_to", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "description"]
    readonly_fields = ["history"]

    @admin.display(description=_("history"))
    def history(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:pricing_rules_rulechange_changelist") + f"?rule_code={obj.code}"
        return format_html('<a href="{}">{}</a>', url, _("show every change of this rule"))

    def save_model(self, request, obj, form, change):
        services.save_rule(row=obj, actor=request.user, source="admin")

    def delete_model(self, request, obj):
        services.delete_rule(row=obj, actor=request.user, source="admin")

    def delete_queryset(self, request, queryset):
        for row in queryset:
            services.delete_rule(row=row, actor=request.user, source="admin")
        self.message_user(request, _("Deleted rules are kept in the rule history."), messages.INFO)


@admin.register(RuleChange)
class RuleChangeAdmin(admin.ModelAdmin):
    list_display = ["rule_code", "action", "changed_by", "source", "changed_at"]
    list_filter = ["action", "source"]
    search_fields = ["rule_code"]
    readonly_fields = ["rule_code", "action", "before", "after", "changed_by", "source", "changed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
