from django.apps import AppConfig


class GevinstConfig(AppConfig):
    name = "gevinst"
