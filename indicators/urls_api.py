from django.urls import path

from indicators import api

urlpatterns = [
    path("indicators/", api.IndicatorListView.as_view(), name="api-indicators"),
    path("indicators/summary/", api.IndicatorSummaryView.as_view(),
         name="api-indicators-summary"),
    path("indicators/jobs/", api.IndicatorJobCreateView.as_view(), name="api-indicator-jobs"),
    path("indicators/jobs/<uuid:pk>/", api.IndicatorJobDetailView.as_view(),
         name="api-indicator-job"),
]
