from django.urls import path

from ideas import views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("queue/", views.idea_queue, name="queue"),
    path("new/", views.idea_create, name="create"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/transition/", views.idea_transition, name="transition"),
]
