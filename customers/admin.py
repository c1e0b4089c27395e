from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from b2bshop.resources import CsvImportExportMixin
from customers import services
from customers.models import ApiToken, Customer, Invitation, PriceGroup, ShipTo, User
from customers.resources import CustomerResource


@admin.register(PriceGroup)
class PriceGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rate"]
    search_fields = ["code", "name"]


class ShipToInline(admin.TabularInline):
    model = ShipTo
    extra = 0


class BuyerInline(admin.TabularInline):
    model = User
    fk_name = "customer"
    fields = ["email", "full_name", "role", "spending_limit", "is_active"]
    readonly_fields = ["email"]
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(CsvImportExportMixin, admin.ModelAdmin):
    resource_classes = [CustomerResource]
    list_display = [
        "code",
        "name",
        "trading_status",
        "price_group",
        "prefecture",
        "closing_day",
        "ec_enabled",
    ]
    list_filter = ["trading_status", "is_key_account", "ec_enabled", "price_group", "prefecture"]
    search_fields = ["code", "name", "name_kana", "phone", "domain"]
    list_select_related = ["price_group"]
    autocomplete_fields = ["owner", "price_group"]
    inlines = [ShipToInline, BuyerInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "customer", "role", "is_staff", "is_integration", "is_active"]
    list_filter = ["is_staff", "is_integration", "is_active", "role"]
    search_fields = ["email", "full_name", "customer__code", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "preferred_language")}),
        (_("Company"), {"fields": ("customer", "role", "spending_limit")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_integration",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "customer", "role")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__email", "name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke", "rotate"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = services.issue_api_token(user=obj.user, name=obj.name)
        obj.pk = issued.token.pk
        self.message_user(request, _("New token (shown only once): %(token)s") % {"token": issued.raw})

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_api_token(token=token, now=timezone.now())
        self.message_user(request, _("Revoked %(n)d token(s).") % {"n": queryset.count()})

    @admin.action(description=_("Rotate selected tokens (revoke and issue a new one)"))
    def rotate(self, request, queryset):
        for token in queryset:
            issued = services.rotate_api_token(token=token, now=timezone.now())
            self.message_user(
                request,
                _("New token for %(user)s (shown only once): %(token)s")
                % {"user": token.user, "token": issued.raw},
            )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: company admins invite colleagues on the storefront; staff can see who invited whom."""

    list_display = ["user", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["accepted_at", "revoked_at"]
    search_fields = ["user__email", "invited_by__email", "user__customer__code"]
    list_select_related = ["user", "invited_by"]
    readonly_fields = ["user", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["digest"]

    def has_add_permission(self, request) -> bool:
        return False
