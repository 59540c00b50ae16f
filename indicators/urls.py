from django.urls import path

from indicators import analysis_views, exports, views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_home, name="home"),
    path("export/", exports.indicator_export, name="export"),
    path("analysis/", analysis_views.indicator_analysis, name="analysis"),
    path("<str:org_number>/recompute/", views.indicator_recompute, name="recompute"),
    path("freeze/", views.indicator_freeze, name="freeze"),
    path("jobs/<uuid:pk>/", views.indicator_job, name="job"),
    path("schemes/", views.scheme_list, name="schemes"),
]
