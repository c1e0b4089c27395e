from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from b2bshop import views
from customers import views as customer_views

admin.site.site_header = _("b2bshop administration")
admin.site.site_title = _("b2bshop admin")
admin.site.index_title = _("Shop administration")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", customer_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    # ERP -> shop: each app contributes its own endpoints under one prefix.
    path("api/v1/erp/", include("catalog.urls_erp")),
    path("api/v1/erp/", include("customers.urls_erp")),
    path("api/v1/erp/", include("orders.urls_erp")),
    path("api/v1/erp/", include("billing.urls_erp")),
    # Buyer API.
    path("api/v1/store/", include("catalog.urls_store")),
    path("api/v1/store/", include("orders.urls_store")),
    path("api/v1/store/", include("billing.urls_store")),
    # Storefront pages.
    path("", include("customers.urls_auth")),
    path("", include("customers.urls")),
    path("orders/", include("orders.urls")),
    path("invoices/", include("billing.urls")),
    path("", include("engagement.urls")),
    path("", include("catalog.urls")),
]

if settings.BENCH_URLS:
    urlpatterns.insert(0, path("bench/", include("bench.urls")))

handler404 = "b2bshop.views.not_found"
