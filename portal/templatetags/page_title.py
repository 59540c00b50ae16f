"""The browser tab's title: «Forside – Innoportal», or «Innoportal» alone for a page without
a title of its own. (Django templates cannot ask whether a block is empty; `self.title` is
Jinja and rendered «ForsideInnoportal».)"""

from django import template
from django.utils.html import strip_spaces_between_tags

register = template.Library()

SITE_NAME = "Innoportal"


@register.filter(is_safe=True)
def page_title(value: str) -> str:
    title = " ".join(strip_spaces_between_tags(str(value)).split())
    return f"{title} – {SITE_NAME}" if title else SITE_NAME
