"""Storefront catalog pages (login-only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Category


@login_required
def home(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.filter(parent__isnull=True).prefetch_related("children")
    return render(request, "catalog/home.html", {"categories": categories})
