from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Notification
from notifications.selectors import describe


class NotificationSerializer(serializers.ModelSerializer):
    """A notice as the centre shows it: title and text rendered now, for a visible object."""

    about = serializers.SerializerMethodField(help_text="idea, project, benefit or plan")
    object_id = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "about", "object_id", "title", "text", "url", "created_at",
                  "read_at"]

    def _view(self, notice):
        cache = self.context.setdefault("_views", {})
        if notice.pk not in cache:
            cache[notice.pk] = describe(notice)
        return cache[notice.pk]

    @extend_schema_field(serializers.CharField())
    def get_about(self, notice) -> str:
        return self._view(notice).object_key[0]

    @extend_schema_field(serializers.IntegerField())
    def get_object_id(self, notice) -> int:
        return self._view(notice).object_key[1]

    def get_title(self, notice) -> str:
        return self._view(notice).title

    def get_text(self, notice) -> str:
        return self._view(notice).text

    def get_url(self, notice) -> str:
        return settings.SITE_URL.rstrip("/") + self._view(notice).path


class MarkReadResult(serializers.Serializer):
    marked = serializers.IntegerField()
