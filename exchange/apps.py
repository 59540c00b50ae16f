from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """The portfolio exchange format (innoportal-portfolio/1): import and export of whole
    portfolios across ideas, projects, benefits and the spine."""

    name = "exchange"
