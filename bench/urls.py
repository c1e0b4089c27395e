"""Bench-only URLs (mounted at /bench/ when BENCH_URLS=1): a trivial view to compare against."""

from django.http import HttpRequest, JsonResponse
from django.urls import path


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"hello": "world"})


urlpatterns = [path("hello", hello, name="bench-hello")]
