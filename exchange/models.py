"""The background import of a portfolio file: one row per uploaded file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import JobState


class PortfolioImportJob(models.Model):
    """An uploaded file waiting for, or done with, its import (exchange.services). The file is
    kept under MEDIA_ROOT (shared by the web and worker containers) until the job finishes,
    then deleted; the result and the errors stay on the row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(upload_to="portfolio-imports/", max_length=200, blank=True)
    file_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    # ImportResult's counts and warnings (succeeded), or the refused file's messages, each
    # naming its JSON path (failed).
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("porteføljeimport")
        verbose_name_plural = _("porteføljeimporter")

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)
