"""Staff see the send log (what went to whom, why, and what happened), preview each message, retry or mark bounces."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mail import previews, services
from mail.models import OutgoingEmail, Suppression


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "ref", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields if f.name != "body_html"] + ["preview"]
    exclude = ["body_html"]
    actions = ["retry_failed", "mark_bounced"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.template_previews)
        return [
            path("templates/", view, name="mail_templates"),
            path("templates/<str:key>/", view, name="mail_template_preview"),
            *super().get_urls(),
        ]

    def template_previews(self, request: HttpRequest, key: str = "") -> HttpResponse:
        """Staff only: every e-mail template with sample data, in Japanese and English, text and HTML."""
        if not self.has_view_permission(request):
            raise Http404
        chosen = previews.get_preview(key or previews.PREVIEWS[0].key)
        if chosen is None:
            raise Http404
        rendered = [
            (code, name, previews.render_preview(chosen, language=code)) for code, name in settings.LANGUAGES
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("E-mail templates"),
            "previews": previews.PREVIEWS,
            "chosen": chosen,
            "rendered": rendered,
        }
        return render(request, "admin/mail/previews.html", context)

    @admin.display(description=_("preview (HTML)"))
    def preview(self, obj: OutgoingEmail) -> str:
        # srcdoc in a sandboxed frame: the message's HTML cannot run script in the admin.
        return format_html(
            '<iframe sandbox srcdoc="{}" style="width:100%;height:480px;border:1px solid #ccc"></iframe>',
            obj.body_html,
        )

    @admin.action(description=_("Send the selected failed e-mails again"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        count = services.retry_failed_emails(
            outbox_ids=queryset.values_list("id", flat=True), now=timezone.now()
        )
        self.message_user(request, _("%(n)d failed e-mail(s) queued again.") % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Record a bounce for the selected recipients"))
    def mark_bounced(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        now = timezone.now()
        addresses = set(queryset.values_list("to_email", flat=True))
        for address in sorted(addresses):
            services.record_bounce(email=address, now=now, detail=str(_("marked as bounced by staff")))
        self.message_user(
            request, _("%(n)d address(es) suppressed.") % {"n": len(addresses)}, messages.SUCCESS
        )


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "created_at"]
    search_fields = ["email"]
