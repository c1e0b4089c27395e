"""Insights for staff: the permission that opens the pages, the web history of buyers, what-if runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Insights(models.Model):
    """No table: it carries the permission ``insights.view_insights`` and the admin index entry."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("insights")
        verbose_name_plural = _("insights")


class WebEvent(models.Model):
    """One thing a buyer did on the storefront. Append-only, written in batches, kept for a limited time."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        SEARCH = "search", _("Search")
        VIEW = "view", _("Product viewed")
        CART = "cart", _("Cart changed")

    customer_id = models.IntegerField(_("customer"), db_index=False)
    user_id = models.IntegerField(_("user"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("web event")
        verbose_name_plural = _("web events")
        # Plain integers, no foreign keys: a flush is one INSERT with no constraint checks, and the
        # history of a deleted customer simply ages out with the retention job.
        indexes = [
            models.Index(fields=["customer_id", "-at"], name="webevent_customer_at"),
            models.Index(fields=["at"], name="webevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ReplayRun(models.Model):
    """A what-if: past orders re-evaluated under a draft rules file (contract section 9)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=200)
    draft = models.JSONField(_("draft rules file"))
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    report = models.FileField(_("report (CSV)"), upload_to="insights/replays/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    piloted_scope = models.JSONField(_("switched on for"), default=dict, blank=True)

    class Meta:
        verbose_name = _("what-if run")
        verbose_name_plural = _("what-if runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name
