"""The Celery app `b2bshop` (celery -A b2bshop worker / beat)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b2bshop.settings")

app = Celery("b2bshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
