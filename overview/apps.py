from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The readers that look across the portfolio: the home page, the manager's dashboard, the
    portfolio report and "Mine data". The only app allowed to read every other app."""

    name = "overview"
