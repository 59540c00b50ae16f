from django.urls import include, path

from overview import dashboard_views, report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/my-data/", views.my_data, name="my-data"),
    path("account/my-data/export.json", views.my_data_export, name="my-data-export"),
    path("dashboard/", include(([path("", dashboard_views.manager, name="manager")],
                                 "dashboards"))),
    path("reports/", include(([
        path("portfolio/", report_views.portfolio_report_choose, name="portfolio-choose"),
        path("portfolio/<str:org_number>/<int:year>/", report_views.portfolio_report_page,
             name="portfolio"),
    ], "reports"))),
]
