from django.urls import path

from exchange import views

# The upload page lives among the indicator pages (/indicators/portfolio/, URL name
# "indicators:portfolio-upload"); the composition root (innoportal.urls) adds these patterns
# to the indicators namespace.
indicator_pages = [
    path("portfolio/", views.portfolio_upload, name="portfolio-upload"),
    path("portfolio/jobs/<uuid:pk>/", views.portfolio_job, name="portfolio-job"),
]
