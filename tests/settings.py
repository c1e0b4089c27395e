"""Test settings: PostgreSQL and Redis on 127.0.0.1, never SQLite, never eager Celery."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b2bshop")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "k" * 40)
os.environ.setdefault("ERP_SIGNING_SECRET", "test-signing-secret")

from b2bshop.settings import *  # noqa: E402,F403

if not DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    raise RuntimeError("Tests run on PostgreSQL only; set DATABASE_URL to a postgres:// URL.")

CELERY_TASK_ALWAYS_EAGER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real-worker test may swap in a backend the subprocess can report through (tests/mail/backends.py).
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# API rate limits: per process, and high enough that no functional test meets them;
# tests/security/test_api_limits.py sets low rates to see the 429s.
CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"erp": "100000/min", "store": "100000/min", "anon": "100000/min"}  # noqa: F405
# Functional tests and the schema fuzzers send many bad credentials from 127.0.0.1; the lockout itself is
# tested with the production limit in tests/security/test_login_protection.py.
AXES_FAILURE_LIMIT = 1000
