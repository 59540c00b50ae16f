"""Reads of the exchange app."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchange.models import PortfolioImportJob
from portal.models import User
from portal.personal_data import Section, col, section


def personal_data(user: User) -> list[Section]:
    """The portfolio files the user imported, for "Mine data" (overview)."""
    return [
        section("portfolio_imports", gettext_lazy("Porteføljefiler du har importert"),
                PortfolioImportJob.objects.filter(requested_by=user), [
                    col("file", _("Fil"), "file_name"),
                    col("state", _("Status"), lambda j: j.get_state_display()),
                    col("at", _("Tidspunkt"), "created_at"),
                ], covers=("exchange.PortfolioImportJob.requested_by",)),
    ]
