from django.urls import path

from projects import exports, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export/", exports.project_export, name="export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.catalogue_detail, name="catalogue-detail"),
    path("checklists/", views.checklists_index, name="checklists-index"),
    path("checklists/<str:org_number>/", views.checklists, name="checklists"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/decide/", views.project_decide, name="decide"),
    path("<int:pk>/adopt/", views.project_adopt, name="adopt"),
    path("<int:pk>/checklist/<int:item_pk>/", views.checklist_tick, name="tick"),
    path("<int:pk>/<slug:kind>/new/", views.content_add, name="content-add"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/", views.content_edit, name="content-edit"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/delete/", views.content_delete,
         name="content-delete"),
]
