from django import template

from portal.templatetags import formatting
from portal.templatetags.formatting import num  # noqa: F401 - importable where it always was

register = template.Library()

# The benefit pages load their figures (`num`, `kr`) from here: the project's one format
# library (portal/templatetags/formatting.py) under the name they have always loaded.
register.filters.update(formatting.register.filters)
