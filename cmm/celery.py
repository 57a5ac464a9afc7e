"""The Celery app. Configuration comes from Django settings (CELERY_*); tasks are found in each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmm.settings.base")

app = Celery("cmm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
