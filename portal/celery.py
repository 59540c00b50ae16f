"""The Celery app. Tasks take ids and JSON-safe arguments; JSON is the only serializer."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules below the app level (the indicator engine lives in gevinst/indicators/).
app.autodiscover_tasks(["gevinst.indicators"])
