"""The project URLconf with the bench-only URLs mounted, as settings.BENCH_URLS=1 does."""

from django.urls import include, path

from b2bshop.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/", include("bench.urls")), *project_urlpatterns]
