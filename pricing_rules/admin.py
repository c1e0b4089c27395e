from django.contrib import admin

from pricing_rules.models import Rule, RuleChange


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "active", "priority", "valid_from", "valid_to", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["code"]


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
