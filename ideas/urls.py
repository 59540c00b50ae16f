from django.urls import path

from ideas import campaign_views, exports, views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("queue/", views.idea_queue, name="queue"),
    path("export/", exports.idea_export, name="export"),
    path("new/", views.idea_create, name="create"),
    path("similar/", views.idea_similar, name="similar"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/edit/", views.idea_edit, name="edit"),
    path("<int:pk>/transition/", views.idea_transition, name="transition"),
    path("<int:pk>/support/", views.idea_support, name="support"),
    path("<int:pk>/follow/", views.idea_follow, name="follow"),
    path("<int:pk>/comments/", views.comment_add, name="comment-add"),
    path("<int:pk>/comments/<int:comment_pk>/edit/", views.comment_edit, name="comment-edit"),
    path("<int:pk>/comments/<int:comment_pk>/delete/", views.comment_delete,
         name="comment-delete"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment-add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download,
         name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete,
         name="attachment-delete"),
    path("<int:pk>/reviewers/", views.reviewer_assign, name="assign"),
    path("<int:pk>/score/", views.idea_score, name="score"),
]
