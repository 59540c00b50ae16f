from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    """The spine shared by ideas, projects and benefits: initiatives and their dated history
    (phase changes, benefit assessments), the indicator timeline derived from it and the dirty
    marks that tell the indicator engine what to recompute. It imports only portal."""

    name = "initiatives"
    verbose_name = _("Initiativ")
