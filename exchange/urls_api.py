from django.urls import path

from exchange import api

urlpatterns = [
    path("portfolio/import/", api.PortfolioImportView.as_view(), name="api-portfolio-import"),
    path("portfolio/import/jobs/<uuid:pk>/", api.PortfolioImportJobView.as_view(),
         name="api-portfolio-import-job"),
    path("portfolio/export/", api.PortfolioExportView.as_view(), name="api-portfolio-export"),
]
