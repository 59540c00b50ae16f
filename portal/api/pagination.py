"""Pagination and OPTIONS metadata, named in REST_FRAMEWORK's settings.

DRF imports these while it builds `rest_framework.views.APIView` (its class attributes read
`api_settings`), so this module must never import `rest_framework.views` or anything that does:
a partially initialised DRF makes the import fail, and whether it does depends on which system
check touches the settings first (tests/portal/test_production_start.py)."""

from rest_framework import metadata, pagination


class StandardPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ViewMetadata(metadata.SimpleMetadata):
    """OPTIONS names the view and what it renders and parses. DRF's default also lists the
    fields of a PUT by loading the object, which views without a queryset cannot do (500)."""

    def determine_actions(self, request, view):
        return {}
