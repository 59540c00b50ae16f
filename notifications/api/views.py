"""The notices API: the signed-in user's own notices (of objects he may still see), and
marking them read through the same service as the centre."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import selectors, services
from notifications.api.serializers import MarkReadResult, NotificationSerializer
from notifications.models import Notification
from portal.api.base import ScopedViewSetMixin


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("unread", bool, description="Only unread notices.")]))
class NotificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin,
                          mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer

    def scope_queryset(self, queryset, user):
        notices = selectors.notifications_for_display(user)
        if self.request.query_params.get("unread") in ("1", "true"):
            notices = notices.filter(read_at__isnull=True)
        return notices

    @extend_schema(request=None, responses={200: MarkReadResult})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()  # 404 for another user's notice
        marked = services.notifications_mark_read(user=request.user, ids=[notice.pk])
        return Response({"marked": marked})

    @extend_schema(request=None, responses={200: MarkReadResult})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_read(user=request.user)})
