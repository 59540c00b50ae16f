from django.apps import AppConfig


class InnoportalConfig(AppConfig):
    """The composition root as an app without models: it only contributes the management
    commands that put every app together (load_demo)."""

    name = "innoportal"
