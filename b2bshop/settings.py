"""b2bshop settings: one module, configured from environment variables (see README)."""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on")."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ---------------------------------------------------------------- core
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    # Only for DEBUG/local runs; production must set SECRET_KEY (check --deploy complains otherwise).
    "insecure-dev-only-" + "x" * 50
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",  # replaced below by backoffice.apps.StaffAdminConfig (staff home + staff TOTP)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "b2bshop",
    "customers",
    "catalog",
    "pricing_rules",
    "orders",
    "crm",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "b2bshop.versions.VersionScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "b2bshop.urls"
WSGI_APPLICATION = "b2bshop.wsgi.application"
AUTH_USER_MODEL = "customers.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "engagement.context_processors.reorder_banner",
            ],
        },
    },
]
if not DEBUG:
    # The cached loader is on by default when DEBUG is off; keep APP_DIRS semantics explicit.
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
        )
    ]

# ---------------------------------------------------------------- database
# No DATABASE_URL: an embedded SQLite file for `make run`. Tests always use PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The order path's hand-written statements (b2bshop.hot_sql) run as server-side prepared statements;
# 0 behind a pooler in transaction mode (PgBouncer), where a session's statements do not follow it.
HOT_SQL_PREPARE = env_bool("HOT_SQL_PREPARE", True)

# ---------------------------------------------------------------- cache, sessions
REDIS_URL = os.environ.get("REDIS_URL", "")
# The API rate-limit counters (b2bshop/throttling.py): shared through Redis by every worker.
_THROTTLE_CACHE: dict[str, Any] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
)
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": _THROTTLE_CACHE,
}
# Sessions live in the database so Redis going down logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# ---------------------------------------------------------------- celery
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and not env_bool("CELERY_NEVER_EAGER")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Tuned so a message held by a killed worker comes back in seconds, not ~100 s.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300")),
    "unacked_restore_throttle": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_BEAT_SCHEDULE: dict = {}

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- static
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("PLAIN_STATIC")
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

# ---------------------------------------------------------------- security
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
# Load-balancer probes speak plain HTTP to the container: the health check is never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------- e-mail
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = EMAIL_URL.startswith("smtp+tls")
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "b2bshop <noreply@example.jp>")
SHOP_CONTACT_PHONE = os.environ.get("SHOP_CONTACT_PHONE", "03-0000-0000")

# ---------------------------------------------------------------- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "customers.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "b2bshop.schema.AutoSchema",
    # JSON only: generated clients then send JSON (no form/multipart unions in the schema). One parser
    # for every API: UTF-8 only, BOM accepted, size and nesting depth bounded (b2bshop/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["b2bshop.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "b2bshop.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "b2bshop.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Rate limits per token / buyer / address (b2bshop/throttling.py); "off" disables one (the bench).
    "DEFAULT_THROTTLE_CLASSES": ["b2bshop.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "erp": os.environ.get("API_RATE_ERP", "6000/min"),
        "store": os.environ.get("API_RATE_STORE", "600/min"),
        "anon": os.environ.get("API_RATE_ANON", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "b2bshop API",
    "DESCRIPTION": "Buyer API (/api/v1/store/) and ERP integration API (/api/v1/erp/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc come from our own static files (drf-spectacular-sidecar): docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ---------------------------------------------------------------- ERP integration
ERP_ORDERS_URL = os.environ.get("ERP_ORDERS_URL", "")
ERP_SIGNING_SECRET = os.environ.get("ERP_SIGNING_SECRET", "")
ERP_TIMEOUT_SECONDS = float(os.environ.get("ERP_TIMEOUT_SECONDS", "10"))
ERP_MAX_ATTEMPTS = int(os.environ.get("ERP_MAX_ATTEMPTS", "8"))
ERP_BULK_MAX_ITEMS = 1000

# ---------------------------------------------------------------- logging
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    # E-mail addresses and phone numbers are masked in every line (b2bshop/log_masking.py, APPI).
    "filters": {"mask_personal_data": {"()": "b2bshop.log_masking.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The benchmark-only views (bench/urls.py) are mounted only when the bench harness sets this.
BENCH_URLS = env_bool("BENCH_URLS", False)

if not IS_POSTGRES:
    # The embedded SQLite demo cannot express NULLS NOT DISTINCT; PostgreSQL enforces it.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]

# ---------------------------------------------------------------- catalog (storefront, ERP master data)
# Below this many available units (or twice the smallest order, if larger) the badge says 残りわずか.
CATALOG_LOW_STOCK_UNITS = int(os.environ.get("CATALOG_LOW_STOCK_UNITS", "10"))
CATALOG_PAGE_SIZE = 30

# ---------------------------------------------------------------- ERP push, sweep, reconciliation (issue 7)
# See docs/erp-integration.md. ERP_ORDERS_URL empty: pushes wait as "pending" with a clear last_error.
from celery.schedules import crontab  # noqa: E402

INSTALLED_APPS += ["integration"]
MIDDLEWARE += ["integration.middleware.ErpCallLogMiddleware"]
ERP_RETRY_BASE_SECONDS = float(os.environ.get("ERP_RETRY_BASE_SECONDS", "30"))  # 1st retry after 15–30 s
ERP_RETRY_MAX_SECONDS = float(os.environ.get("ERP_RETRY_MAX_SECONDS", "3600"))
# A claimed push is not re-sent by anyone else before this lease runs out (must exceed the timeout).
ERP_PUSH_LEASE_SECONDS = float(os.environ.get("ERP_PUSH_LEASE_SECONDS", str(ERP_TIMEOUT_SECONDS + 30)))
# One push task claims up to this many due pushes and sends them over one connection pool, at most
# ERP_PUSH_CONCURRENCY requests at a time (each order keeps its own Idempotency-Key and lease). Only a
# deep queue fills a batch; a full one is leased for ERP_PUSH_LEASE_SECONDS + 2 x ERP_TIMEOUT_SECONDS
# per further round of requests (160 s with the defaults), which is how long a killed worker's
# batch waits for the sweep. 25 drained ~15 % faster than 10 (docs/performance.md).
ERP_PUSH_BATCH = int(os.environ.get("ERP_PUSH_BATCH", "25"))
ERP_PUSH_CONCURRENCY = int(os.environ.get("ERP_PUSH_CONCURRENCY", "4"))
ERP_SWEEP_GRACE_SECONDS = float(os.environ.get("ERP_SWEEP_GRACE_SECONDS", "60"))  # never attempted after this
ERP_NO_URL_RECHECK_SECONDS = float(os.environ.get("ERP_NO_URL_RECHECK_SECONDS", "300"))
ERP_ACCEPT_WITHIN_HOURS = float(os.environ.get("ERP_ACCEPT_WITHIN_HOURS", "24"))
STOCK_MAX_AGE_HOURS = float(os.environ.get("STOCK_MAX_AGE_HOURS", "24"))
CELERY_BEAT_SCHEDULE["erp-sweep-order-pushes"] = {
    "task": "orders.tasks.sweep_order_pushes_task",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["erp-daily-reconciliation"] = {
    "task": "integration.tasks.reconcile_erp_task",
    "schedule": crontab(hour=7, minute=0),
}

# ---------------------------------------------------------------- crm: lead import, key persons
# Lead files above this size are refused (contract section 7; the file is streamed, never read whole).
LEAD_IMPORT_MAX_BYTES = int(os.environ.get("LEAD_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
# Admin uploads up to this size are imported while the page waits; larger ones go to Celery.
LEAD_IMPORT_SYNC_MAX_BYTES = int(os.environ.get("LEAD_IMPORT_SYNC_MAX_BYTES", str(256 * 1024)))
# Key-person coverage: "contacted recently" means within this many months.
KEY_PERSON_RECENT_MONTHS = int(os.environ.get("KEY_PERSON_RECENT_MONTHS", "6"))
# Key accounts: flagged customers plus this many top customers by 12-month revenue.
KEY_ACCOUNT_TOP_N = int(os.environ.get("KEY_ACCOUNT_TOP_N", "50"))

# ---------------------------------------------------------------- checkout (orders)
# Business days between the order day and the earliest requested delivery date.
ORDER_LEAD_TIME_DAYS = int(os.environ.get("ORDER_LEAD_TIME_DAYS", "2"))

# ---------------------------------------------------------------- authentication
# The model backend, plus the buyer's company loaded with the user (customers.auth.EmailBackend).
AUTHENTICATION_BACKENDS = ["customers.auth.EmailBackend"]

# ---------------------------------------------------------------- celery: keep DB connections
# Celery's Django fixup closes every DB connection around each task unless this is set; with it the
# worker reuses its connection like gunicorn does (CONN_MAX_AGE), instead of reconnecting per task.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))

# ---------------------------------------------------------------- billing: invoices, payments (issue 13)
# The shop as issuer of qualified invoices (適格請求書発行事業者); `check --deploy` warns when unset.
INSTALLED_APPS += ["billing"]
SHOP_INVOICE_ISSUER_NAME = os.environ.get("SHOP_INVOICE_ISSUER_NAME", "")
SHOP_INVOICE_ISSUER_ADDRESS = os.environ.get("SHOP_INVOICE_ISSUER_ADDRESS", "")
SHOP_INVOICE_REGISTRATION_NUMBER = os.environ.get("SHOP_INVOICE_REGISTRATION_NUMBER", "")  # T + 13 digits
SHOP_INVOICE_BANK_ACCOUNT = os.environ.get("SHOP_INVOICE_BANK_ACCOUNT", "")  # 振込先, printed on invoices
# Which orders an invoice covers: "shipped" (出荷基準) or "accepted" (受注基準, shipped ones included).
INVOICE_BASIS = os.environ.get("INVOICE_BASIS", "shipped")
# A closing day on a weekend or holiday closes on the business day "before" it or "after" it.
INVOICE_HOLIDAY_CLOSING = os.environ.get("INVOICE_HOLIDAY_CLOSING", "before")
CELERY_BEAT_SCHEDULE["billing-daily-closing"] = {
    "task": "billing.tasks.close_invoices_task",
    "schedule": crontab(hour=1, minute=30),
}
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}  # its INFO is a progress line per PDF step

# ---------------------------------------------------------------- e-mail outbox (mail app, issue 12)
# Every e-mail is an outbox row written with its cause and sent by a Celery worker (mail/services.py).
INSTALLED_APPS += ["mail"]
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
MAIL_RETRY_BASE_SECONDS = float(os.environ.get("MAIL_RETRY_BASE_SECONDS", "30"))
MAIL_RETRY_MAX_SECONDS = float(os.environ.get("MAIL_RETRY_MAX_SECONDS", "3600"))
# A claimed e-mail is not sent by anyone else before this lease runs out (longer than an SMTP timeout).
MAIL_SEND_LEASE_SECONDS = float(os.environ.get("MAIL_SEND_LEASE_SECONDS", "120"))
MAIL_SWEEP_GRACE_SECONDS = float(os.environ.get("MAIL_SWEEP_GRACE_SECONDS", "60"))
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
CELERY_BEAT_SCHEDULE["mail-sweep"] = {
    "task": "mail.tasks.sweep_emails_task",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Absolute links in e-mails (cart links, unsubscribe) start with this.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# ---------------------------------------------------------------- engagement: reorder reminders (issue 12)
INSTALLED_APPS += ["engagement"]
# Due when days since the last purchase > the usual (median) interval minus these lead days.
REMINDER_LEAD_DAYS = int(os.environ.get("REMINDER_LEAD_DAYS", str(ORDER_LEAD_TIME_DAYS)))
# An order within this many days of a reminder counts as its conversion.
REMINDER_CONVERSION_DAYS = int(os.environ.get("REMINDER_CONVERSION_DAYS", "14"))
# Dormant: days since the last order > max(DORMANT_FACTOR x the customer's median gap, gap + extra days).
DORMANT_FACTOR = float(os.environ.get("DORMANT_FACTOR", "3"))
DORMANT_MIN_EXTRA_DAYS = int(os.environ.get("DORMANT_MIN_EXTRA_DAYS", "14"))
UNSUBSCRIBE_LINK_DAYS = int(os.environ.get("UNSUBSCRIBE_LINK_DAYS", "90"))
CELERY_BEAT_SCHEDULE["engagement-send-reminders"] = {
    "task": "engagement.tasks.send_reminders_task",
    "schedule": crontab(hour=8, minute=30),
}
# Cross-sell ("customers who buy this also buy"): pairs bought together in one order by at least
# CROSS_SELL_MIN_CUSTOMERS customers within CROSS_SELL_DAYS; the top CROSS_SELL_PER_PRODUCT kept.
CROSS_SELL_DAYS = int(os.environ.get("CROSS_SELL_DAYS", "365"))
CROSS_SELL_MIN_CUSTOMERS = int(os.environ.get("CROSS_SELL_MIN_CUSTOMERS", "2"))
CROSS_SELL_PER_PRODUCT = int(os.environ.get("CROSS_SELL_PER_PRODUCT", "10"))
CELERY_BEAT_SCHEDULE["engagement-compute-cross-sell"] = {
    "task": "engagement.tasks.compute_cross_sell_task",
    "schedule": crontab(hour=2, minute=40),
}

# ---------------------------------------------------------------- insights for staff (issue 15)
# See docs/insights.md. Handling cost per order by channel (yen), order-size bands (upper bounds,
# yen), the gross-margin rate assumed for products without a cost price, the A/B cut-offs (%).
INSTALLED_APPS += ["insights"]
MIDDLEWARE += ["insights.activity.WebActivityMiddleware"]
INSIGHTS_HANDLING_COST = {
    "web": int(os.environ.get("INSIGHTS_COST_WEB", "30")),
    "api": int(os.environ.get("INSIGHTS_COST_API", "30")),
    "phone": int(os.environ.get("INSIGHTS_COST_PHONE", "700")),
    "fax": int(os.environ.get("INSIGHTS_COST_FAX", "700")),
}
INSIGHTS_ORDER_BANDS = [
    int(v) for v in os.environ.get("INSIGHTS_ORDER_BANDS", "5000,10000,30000,100000").split(",") if v.strip()
]
INSIGHTS_DEFAULT_MARGIN_RATE = os.environ.get("INSIGHTS_DEFAULT_MARGIN_RATE", "0.25")
INSIGHTS_ABC_CUTOFFS = (80, 95)
# Buyers' web history (logins, searches, views, cart changes): buffered in Redis, flushed in batches.
INSIGHTS_WEB_HISTORY_DAYS = int(os.environ.get("INSIGHTS_WEB_HISTORY_DAYS", "180"))
INSIGHTS_WEB_FLUSH_BATCH = 5000
INSIGHTS_REDIS_TIMEOUT = 0.2  # seconds; a slow Redis drops the event, never delays the buyer
CELERY_BEAT_SCHEDULE["insights-flush-web-events"] = {
    "task": "insights.tasks.flush_web_events_task",
    "schedule": 30.0,
    "options": {"expires": 25},
}
CELERY_BEAT_SCHEDULE["insights-purge-web-events"] = {
    "task": "insights.tasks.purge_web_events_task",
    "schedule": crontab(hour=3, minute=30),
}

# ---------------------------------------------------------------- company accounts and approval (issue 14)
# Orders awaiting approval longer than this are cancelled and their stock released (beat, hourly).
ORDER_APPROVAL_EXPIRY_DAYS = int(os.environ.get("ORDER_APPROVAL_EXPIRY_DAYS", "7"))
CELERY_BEAT_SCHEDULE["orders-cancel-expired-approvals"] = {
    "task": "orders.tasks.cancel_expired_approvals_task",
    "schedule": crontab(minute=15),
}
# An invitation link (company admin → colleague) works once, for this many days.
INVITATION_EXPIRY_DAYS = int(os.environ.get("INVITATION_EXPIRY_DAYS", "7"))
# Password-reset links for buyers (Django's auth views) expire after this many seconds.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24)))

# ---------------------------------------------------------------- security: hostile input (issue 14)
# Right inside the ERP call log (a refused call is still logged), before anything else stores the path.
MIDDLEWARE.insert(
    MIDDLEWARE.index("integration.middleware.ErpCallLogMiddleware") + 1,
    "b2bshop.middleware.RejectNulBytesMiddleware",
)
# The browsable API only while developing: with DEBUG off every API answers JSON only.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"] + (
    ["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []
)
# A stock figure's as_of may run ahead of our clock by this much (ERP clock skew), no more.
STOCK_AS_OF_MAX_SKEW_SECONDS = int(os.environ.get("STOCK_AS_OF_MAX_SKEW_SECONDS", "300"))

# ---------------------------------------------------------------- security: login, sessions, staff TOTP (issue 14)
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
# django-axes counts failed logins per (username, IP) pair: one attacker cannot lock a buyer out from
# everywhere, and a lockout ends by itself after the cool-off (axes' default would lock for good).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "customers.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "customers.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind a load balancer: how many proxies append to X-Forwarded-For (unset = trust REMOTE_ADDR only).
AXES_IPWARE_PROXY_COUNT = (
    int(os.environ["TRUSTED_PROXY_COUNT"]) if os.environ.get("TRUSTED_PROXY_COUNT") else None
)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_VERBOSE = False
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1, "customers.middleware.StaffOtpMiddleware"
)
MIDDLEWARE += ["b2bshop.middleware.IdleSessionTimeoutMiddleware", "axes.middleware.AxesMiddleware"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session ends after SESSION_COOKIE_AGE at the latest, and after SESSION_IDLE_SECONDS without a request
# (b2bshop.middleware.IdleSessionTimeoutMiddleware; it writes the session at most once a minute).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(60 * 60 * 2)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff TOTP (django-otp): the admin asks for a code from every staff user who enrolled an authenticator
# (/staff/two-factor/); with ADMIN_REQUIRE_OTP=1 staff without one cannot enter the admin at all.
ADMIN_REQUIRE_OTP = env_bool("ADMIN_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = "b2bshop"

# ---------------------------------------------------------------- security: headers (issue 14)
from csp.constants import NONE, SELF  # noqa: E402

# Scripts only from our own static files: no inline <script>, no on* attributes, no eval (htmx's eval
# features are off in base.html). Inline style attributes stay allowed; a style cannot run code.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "https:"],  # product pictures may be the ERP's https image URLs
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # Redoc renders the API docs in a worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# ---------------------------------------------------------------- security: audit log (issue 14)
# django-auditlog records who changed what, when and from which address (b2bshop.audit for events that
# are not a model change: proxy orders, approvals, personal-data exports and erasures). Logins and failed
# logins are django-axes' access logs; ERP token use is integration's API call log. Admin: 監査ログ.
INSTALLED_APPS += ["auditlog"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "b2bshop.middleware.AuditContextMiddleware",
)
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "pricing_rules.Rule",
    "catalog.Price",
    "catalog.VisibilityRule",
    "customers.PriceGroup",
    {"model": "customers.Customer", "include_fields": ["price_group", "credit_limit", "ec_enabled", "owner"]},
    {
        "model": "customers.User",
        "include_fields": [
            "role",
            "spending_limit",
            "is_active",
            "is_staff",
            "is_superuser",
            "customer",
        ],
        "m2m_fields": {"groups"},
    },
    {"model": "customers.ApiToken", "include_fields": ["user", "name", "prefix", "revoked_at"]},
    {
        "model": "crm.Contact",
        "include_fields": ["marketing_consent", "marketing_consent_date", "marketing_consent_method"],
    },
)
AUDITLOG_DISABLE_REMOTE_ADDR = False

# ---------------------------------------------------------------- personal data (APPI, issue 14)
# Contacts of prospects that never became customers are deleted after this many days (crm.services.privacy;
# `manage.py purge_stale_leads --dry-run` shows what would go). Lead-import rows and files too.
LEAD_RETENTION_DAYS = int(os.environ.get("LEAD_RETENTION_DAYS", str(365 * 2)))
CELERY_BEAT_SCHEDULE["crm-purge-stale-leads"] = {
    "task": "crm.tasks.purge_stale_leads_task",
    "schedule": crontab(hour=4, minute=10),
}

# ---------------------------------------------------------------- back office for staff (issue 17)
# Django's admin with the staff home (dashboard) as its index and a menu of every staff page.
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "backoffice.apps.StaffAdminConfig"
INSTALLED_APPS += ["backoffice.apps.BackofficeConfig"]
# CSV import/export in admin (django-import-export): preview and per-row errors before anything is written;
# import needs the model's change permission, export its view permission (customers.roles).
INSTALLED_APPS += ["import_export"]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The staff home lists customers whose credit exposure reached this share of their credit limit.
DASHBOARD_CREDIT_WARNING_RATIO = float(os.environ.get("DASHBOARD_CREDIT_WARNING_RATIO", "0.8"))
