from django.urls import path

from gevinst.exchange import api as exchange_api
from gevinst.indicators import api

urlpatterns = [
    path("indicators/", api.IndicatorListView.as_view(), name="api-indicators"),
    path("indicators/summary/", api.IndicatorSummaryView.as_view(),
         name="api-indicators-summary"),
    path("indicators/jobs/", api.IndicatorJobCreateView.as_view(), name="api-indicator-jobs"),
    path("indicators/jobs/<uuid:pk>/", api.IndicatorJobDetailView.as_view(),
         name="api-indicator-job"),
    path("portfolio/import/", exchange_api.PortfolioImportView.as_view(),
         name="api-portfolio-import"),
    path("portfolio/export/", exchange_api.PortfolioExportView.as_view(),
         name="api-portfolio-export"),
]
