from django.urls import path

from exchange import api

urlpatterns = [
    path("portfolio/import/", api.PortfolioImportView.as_view(), name="api-portfolio-import"),
    path("portfolio/export/", api.PortfolioExportView.as_view(), name="api-portfolio-export"),
]
