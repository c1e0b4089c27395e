"""Storefront views owned by customers: the language switch that also remembers the choice."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from customers import services


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in user's choice is also saved for their e-mails."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        services.set_preferred_language(user=request.user, language=request.POST.get("language", ""))
    return response
