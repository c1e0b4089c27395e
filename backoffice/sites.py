"""The admin site staff work in: a home page with today's numbers and a menu of every staff page.

Each number and each menu entry appears only for staff whose role (customers.roles) may open its list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice import selectors, views
from customers.admin_site import ShopAdminSite


@dataclass(frozen=True, slots=True)
class StaffPage:
    label: Any
    url_name: str
    permission: str


STAFF_PAGES = [
    StaffPage(_("Proxy order"), "orders:proxy", "orders.add_order"),
    StaffPage(_("Key-person coverage"), "admin:crm_coverage", "crm.view_contact"),
    StaffPage(_("Lead review queue"), "admin:crm_reviewleadrow_changelist", "crm.view_reviewleadrow"),
    StaffPage(
        _("ERP reconciliation"),
        "admin:integration_reconciliationrun_changelist",
        "integration.view_reconciliationrun",
    ),
    StaffPage(_("Dormant customers"), "engagement:dormant", "customers.view_customer"),
    StaffPage(_("Insights"), "admin:insights_pareto", "insights.view_insights"),
]

# Figure key → (permission to see it, changelist it links to).
FIGURES = {
    "orders": ("orders.view_order", "admin:orders_order_changelist"),
    "pushes": ("orders.view_orderpush", "admin:orders_orderpush_changelist"),
    "leads": ("crm.view_reviewleadrow", "admin:crm_reviewleadrow_changelist"),
    "credit": ("customers.view_customer", "admin:customers_customer_changelist"),
    "reminders": ("engagement.view_reminderdigest", "admin:engagement_reminderdigest_changelist"),
}
_FIGURE_GROUP = {
    "awaiting_approval": "orders",
    "late_orders": "orders",
    "failed_pushes": "pushes",
    "leads": "leads",
    "credit": "credit",
    "reminders": "reminders",
}


def _link(url_name: str, filters: dict[str, str]) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode(filters)}" if filters else url


def staff_pages(request: HttpRequest) -> list[tuple[Any, str]]:
    """(label, url) of the staff pages outside the model lists that this user may open."""
    pages = []
    for page in STAFF_PAGES:
        if not request.user.has_perm(page.permission):
            continue
        try:
            pages.append((page.label, reverse(page.url_name)))
        except NoReverseMatch:  # an app that is not installed in this deployment
            continue
    return pages


class StaffAdminSite(ShopAdminSite):
    """``admin.site`` for b2bshop: the index is the staff home (ホーム); login and access with the staff TOTP check."""

    index_template = "admin/backoffice/index.html"

    def get_urls(self) -> list[URLPattern | URLResolver]:
        return [
            path(
                "backoffice/customer/<int:customer_id>/panel/",
                self.admin_view(views.customer_panel),
                name="backoffice_customer_panel",
            ),
            *super().get_urls(),
        ]

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        if getattr(request.user, "is_staff", False):
            context["staff_pages"] = staff_pages(request)
        return context

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        allowed = frozenset(key for key, (perm, _url) in FIGURES.items() if request.user.has_perm(perm))
        dashboard = selectors.staff_dashboard(now=timezone.now(), include=allowed)
        order_list = FIGURES["orders"][1]
        channels = [(c, _link(order_list, c.filters)) for c in dashboard.today_channels]
        figures = {
            key: (figure, _link(FIGURES[_FIGURE_GROUP[key]][1], figure.filters))
            for key, figure in dashboard.figures.items()
        }
        context = {
            "dashboard": dashboard,
            "channels": channels,
            "figures": figures,
            "today_link": _link(order_list, dashboard.today_filters),
            **(extra_context or {}),
        }
        return super().index(request, context)
