from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from portal import data_version, display
        from portal.sso import checks  # noqa: F401 - registers the provider checks

        display.install(apps.get_models(include_auto_created=True))
        # Every table, also one a later migration adds, writes the data version.
        post_migrate.connect(data_version.on_post_migrate, sender=self,
                             dispatch_uid="portal.data_version")
