"""Give every form widget the Designsystemet classes, so no form has to remember them."""

from django.forms.renderers import DjangoTemplates

WIDGET_CLASSES = {
    "checkbox": "ds-input",
    "radio": "ds-input",
    "select": "ds-input",
    "selectmultiple": "ds-input",
    "textarea": "ds-input",
}


class DesignsystemetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and "attrs" in widget and widget.get("type") != "hidden":
            attrs = dict(widget["attrs"])
            extra = WIDGET_CLASSES.get(template_name.rsplit("/", 1)[-1].removesuffix(".html"),
                                       "ds-input")
            attrs["class"] = f"{attrs.get('class', '')} {extra}".strip()
            widget["attrs"] = attrs
        return super().render(template_name, context, request=request)
