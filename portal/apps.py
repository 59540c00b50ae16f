from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.apps import apps

        from portal import display
        from portal.sso import checks  # noqa: F401 - registers the provider checks

        display.install(apps.get_models(include_auto_created=True))
