"""ERP integration bookkeeping: every /api/v1/erp/ call, and the daily reconciliation results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiCallLog(models.Model):
    """One call to /api/v1/erp/: who (user, token prefix), what (method, path), the result."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_prefix = models.CharField(_("token prefix"), max_length=12, blank=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    query = models.CharField(_("query"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    request_bytes = models.PositiveIntegerField(_("request size"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    remote_addr = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ERP API call")
        verbose_name_plural = _("ERP API calls")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code}"


class ReconciliationRun(models.Model):
    """The result of one reconciliation: what the ERP and the shop disagree on at `ran_at`."""

    ran_at = models.DateTimeField(_("ran at"), db_index=True)
    unaccepted_orders = models.PositiveIntegerField(_("orders not accepted in time"), default=0)
    failed_pushes = models.PositiveIntegerField(_("failed pushes"), default=0)
    stale_stock = models.PositiveIntegerField(_("stale stock figures"), default=0)
    details = models.JSONField(_("details"), default=dict)

    class Meta:
        verbose_name = _("ERP reconciliation")
        verbose_name_plural = _("ERP reconciliation")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M}"

    @property
    def is_clean(self) -> bool:
        return not (self.unaccepted_orders or self.failed_pushes or self.stale_stock)
