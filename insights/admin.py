"""The insights pages live in the admin: one index entry (the ``Insights`` permission model) and its URLs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from b2bshop.admin_base import ReadOnlyModelAdmin
from insights import views
from insights.models import Insights


@admin.register(Insights)
class InsightsAdmin(ReadOnlyModelAdmin):
    """Index entry "Insights" → the Pareto page; every page checks ``insights.view_insights``."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return views.pareto_view(request)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("pareto/", wrap(views.pareto_view), name="insights_pareto"),
            path("retention/", wrap(views.retention_view), name="insights_retention"),
            path("economics/", wrap(views.economics_view), name="insights_economics"),
            path("whatif/", wrap(views.whatif_view), name="insights_whatif"),
            path("whatif/<int:run_id>/", wrap(views.whatif_run_view), name="insights_whatif_run"),
            path("customer/", wrap(views.customer_lookup_view), name="insights_customer_lookup"),
            path("customer/<int:customer_id>/", wrap(views.customer_view), name="insights_customer"),
            *super().get_urls(),
        ]
