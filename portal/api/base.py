"""The bases every app's API builds on. Every view in the API's URLconf derives from one of
them (tests/portal/test_api_scoped_base.py):

- ScopedViewSetMixin (and ScopedReadOnlyViewSet) for viewsets over a model: the mixin owns
  get_queryset() and scopes it to what the user may see;
- ScopedAPIView for the other endpoints (a single object through an access helper, a report
  through a selector): they have no queryset of their own, and each names in `scoped_by` the
  access helpers or selectors through which everything it reads is scoped to the user."""

from rest_framework import renderers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.params import ID_PATTERN


class JsonErrors:
    """Both bases' errors: the API's JSON shape (application/json) whatever format the client
    asked for (a CSV export, the YAML or OpenAPI-JSON schema) or when none could be agreed
    (?format=xml). A spreadsheet or a schema tool must never read an error message as data.
    Plain JSON and the browsable API are left as negotiated."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if (isinstance(response, Response) and response.status_code >= 400
                and not (renderer is not None and (
                    renderer.format == "api" or renderer.media_type == "application/json"))):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ScopedViewSetMixin(JsonErrors):
    """Owns get_queryset(): subclasses say how to scope their model to what the user may see in
    `scope_queryset()`; nothing builds an unscoped queryset. Secure by default: a subclass that
    forgets to implement the scope fails loudly instead of leaking."""

    # Ids are numbers: anything else is no route (404), never a crash in a pk lookup.
    lookup_value_regex = ID_PATTERN

    def scope_queryset(self, queryset, user):
        raise NotImplementedError(f"{type(self).__name__} must scope its queryset")

    def get_queryset(self):
        queryset = super().get_queryset()
        return self.scope_queryset(queryset, self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedAPIView(JsonErrors, APIView):
    """An API endpoint that is not a viewset over a model. It reads only through access
    helpers (outsiders 404, members without the right 403) or selectors scoped to the user,
    and says which in `scoped_by` (the callables, or a sentence where the scope is the request's
    own user). A concrete subclass without `scoped_by` fails when it is defined, so a new
    endpoint cannot forget its scope; a base for other views sets `abstract = True`."""

    abstract = True
    scoped_by: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract"):
            return
        if not cls.scoped_by:
            raise TypeError(f"{cls.__name__} must name its access helpers or selectors in "
                            f"`scoped_by`")
