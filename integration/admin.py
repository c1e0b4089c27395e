from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from b2bshop.csv_safe import csv_response
from integration import selectors, services
from integration.models import ApiCallLog, ReconciliationRun


@admin.register(ApiCallLog)
class ApiCallLogAdmin(admin.ModelAdmin):
    """Read-only audit trail of the ERP API."""

    list_display = [
        "created_at",
        "user",
        "token_prefix",
        "method",
        "path",
        "status_code",
        "error_code",
        "duration_ms",
    ]
    list_filter = ["status_code", "method"]
    search_fields = ["path", "user__email", "token_prefix", "error_code"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(admin.ModelAdmin):
    """The reconciliation page: the live report (computed on every visit) and the last daily runs."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse | StreamingHttpResponse:
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        now = timezone.now()
        if request.method == "POST" and "run" in request.POST:
            services.run_reconciliation(now=now)
            self.message_user(request, _("Reconciliation recorded."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        if request.method == "POST" and "retry_failed" in request.POST:
            if not request.user.has_perm("orders.change_orderpush"):
                raise PermissionDenied
            count = services.retry_failed_pushes(now=now)
            self.message_user(
                request, _("%(n)d failed push(es) queued again.") % {"n": count}, messages.SUCCESS
            )
            return HttpResponseRedirect(request.path)
        if request.GET.get("export") == "stale-stock":
            return csv_response(
                filename=f"stale-stock-{timezone.localdate(now):%Y%m%d}.csv",
                header=["sku", "as_of", "on_hand", "held"],
                rows=selectors.stale_stock_rows(now=now),
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("ERP reconciliation"),
            "report": selectors.build_report(now=now),
            "runs": ReconciliationRun.objects.all()[:14],
            "can_retry": request.user.has_perm("orders.change_orderpush"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/integration/reconciliation.html", context)
