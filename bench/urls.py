"""Bench-only URLconf, mounted at /bench/ when settings.BENCH_URLS is on (never in production)."""

from django.urls import path

from bench import views

app_name = "bench"
urlpatterns = [
    path("hello", views.hello, name="hello"),
    path("select/<int:pk>", views.one_select, name="select"),
    path("rows50", views.rows50, name="rows50"),
    path("insert", views.single_insert, name="insert"),
]
