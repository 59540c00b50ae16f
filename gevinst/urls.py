from django.urls import path

from gevinst import exports, views

app_name = "gevinst"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("calculator/", views.calculator, name="calculator"),
    path("export/", exports.benefit_export, name="export"),
    path("project/<int:pk>/", views.project_benefits, name="project"),
    path("project/<int:pk>/new/", views.benefit_create, name="create"),
    path("project/<int:pk>/assessments/", views.assessment_add, name="assessment-add"),
    path("project/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("project/<int:pk>/plan/approve/", views.plan_approve, name="plan-approve"),
    path("project/<int:pk>/plan/print/", views.plan_print, name="plan-print"),
    path("project/<int:pk>/map/", views.map_edit, name="map"),
    path("project/<int:pk>/map/nodes/", views.map_node_add, name="map-node-add"),
    path("project/<int:pk>/map/nodes/<int:node_pk>/delete/", views.map_node_remove,
         name="map-node-remove"),
    path("project/<int:pk>/map/edges/", views.map_edge_add, name="map-edge-add"),
    path("project/<int:pk>/map/edges/<int:edge_pk>/delete/", views.map_edge_remove,
         name="map-edge-remove"),
    path("<int:pk>/", views.benefit_detail, name="benefit"),
    path("<int:pk>/edit/", views.benefit_edit, name="edit"),
    path("<int:pk>/measurements/", views.measurement_add, name="measurement-add"),
]
