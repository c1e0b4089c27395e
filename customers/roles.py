"""Staff roles: Django groups with model permissions, enforced by the admin and the staff pages.

    受注担当 order desk       orders, proxy orders (代理注文), ERP push retries, holidays; reads invoices and the rest
    営業 sales                customers and contacts; sees only the contacts of accounts they own; reads invoices
    マーケティング marketing   lead imports and the review queue
    取引条件管理 rules manager trading rules, prices, price groups, visibility rules — the only role that changes them
    管理者 administrator       everything else, including staff users and groups; reads rules and prices,
                              the audit log and the login records

Groups are kept in step with this table by a data migration and ``manage.py sync_staff_roles``
(run it again after adding models). Superusers keep every right.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.db.models import Q

ORDER_DESK = "受注担当 (order desk)"
SALES = "営業 (sales)"
MARKETING = "マーケティング (marketing)"
RULES_MANAGER = "取引条件管理 (rules manager)"
ADMINISTRATOR = "管理者 (administrator)"

VIEW = ("view",)
EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")

# Models whose changes are rules or prices: only the rules manager writes them.
RULES_AND_PRICES = ("rule", "price", "pricegroup", "visibilityrule")
_READ_CATALOG = {"customer": VIEW, "shipto": VIEW, "pricegroup": VIEW, "product": VIEW, "category": VIEW}

ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    ORDER_DESK: {
        **_READ_CATALOG,
        "stock": VIEW,
        "price": VIEW,
        "rule": VIEW,
        "order": EDIT,
        "orderline": VIEW,
        "orderfee": VIEW,
        "orderevent": VIEW,
        "orderpush": ("view", "change"),
        "shipto": EDIT,
        "holiday": ALL,
        "ordertemplate": VIEW,
        "invoice": VIEW,
        "payment": VIEW,
    },
    SALES: {
        **_READ_CATALOG,
        "price": VIEW,
        "rule": VIEW,
        "order": VIEW,
        "orderline": VIEW,
        "orderevent": VIEW,
        "contact": EDIT,
        "department": EDIT,
        "contactsource": VIEW,
        "contactevent": ("view", "add"),
        "invoice": VIEW,
        "receivable": VIEW,
    },
    MARKETING: {
        "customer": VIEW,
        "leadimport": EDIT,
        "leadrow": ("view", "change"),
        "reviewleadrow": ("view", "change"),
    },
    RULES_MANAGER: {
        **_READ_CATALOG,
        "rule": ALL,
        "rulechange": VIEW,
        "price": ALL,
        "pricegroup": ALL,
        "visibilityrule": ALL,
    },
}

# The audit trail (django-auditlog) and the login records (django-axes): administrators read them and may
# lift a lockout (delete an access attempt); nobody edits them.
AUDIT_PERMISSIONS = {
    ("auditlog", "view_logentry"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accesslog"),
    ("axes", "view_accessfailurelog"),
}

OUR_APPS = ("customers", "crm", "catalog", "pricing_rules", "orders", "billing", "integration", "auth")


def _models_by_name(registry: object) -> dict[str, tuple[str, str]]:
    """model name → (app label, model name), for the apps above (the CRM models may live in either app)."""
    found: dict[str, tuple[str, str]] = {}
    for model in registry.get_models():  # type: ignore[attr-defined]  # live or historical app registry
        label = model._meta.app_label
        if label in OUR_APPS:
            found[model._meta.model_name] = (label, model._meta.model_name)
    return found


def wanted_permissions(registry: object = global_apps) -> dict[str, set[tuple[str, str]]]:
    """Role → {(app label, codename)} from ROLES; the administrator gets every other right."""
    models = _models_by_name(registry)
    wanted: dict[str, set[tuple[str, str]]] = {}
    for role, table in ROLES.items():
        wanted[role] = {
            (models[name][0], f"{action}_{name}")
            for name, actions in table.items()
            if name in models
            for action in actions
        }
    wanted[ADMINISTRATOR] = {
        (label, f"{action}_{name}")
        for name, (label, _model) in models.items()
        for action in ALL
        if not (name in RULES_AND_PRICES and action != "view")
    } | AUDIT_PERMISSIONS
    return wanted


def sync_staff_roles(*, group_model: Any, permission_model: Any, registry: object = global_apps) -> list[str]:
    """Create the five groups and set exactly their permissions. Returns permissions it could not find.

    Works with historical models in a migration (pass ``apps.get_model(...)``) and with the live ones.
    """
    missing: list[str] = []
    for role, perms in wanted_permissions(registry).items():
        group, _created = group_model.objects.get_or_create(name=role)
        found = list(_permissions(permission_model, perms))
        got = {(p.content_type.app_label, p.codename) for p in found}
        missing += sorted(f"{role}: {label}.{codename}" for label, codename in perms - got)
        group.permissions.set(found)
    return missing


def _permissions(permission_model: Any, perms: Iterable[tuple[str, str]]) -> Iterable[Any]:
    condition = Q(pk__in=[])
    for label, codename in perms:
        condition |= Q(content_type__app_label=label, codename=codename)
    return permission_model.objects.filter(condition).select_related("content_type")


def sees_every_contact(user: object) -> bool:
    """Superusers and administrators see all contacts; everyone else only those of accounts they own."""
    if getattr(user, "is_superuser", False):
        return True
    return user.groups.filter(name=ADMINISTRATOR).exists()  # type: ignore[attr-defined]  # any user model with groups


def own_accounts_contacts(user: object) -> Q:
    """The contacts a sales rep may see: of customers they own, or assigned to them personally."""
    return Q(customer__owner=user) | Q(owner=user)
