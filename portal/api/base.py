"""The viewset base every app's API builds on."""

from rest_framework import viewsets

from portal.params import ID_PATTERN


class ScopedViewSetMixin:
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
