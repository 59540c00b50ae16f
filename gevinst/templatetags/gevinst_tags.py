from django import template

from portal.templatetags.formatting import num

register = template.Library()

# The benefit pages load `num` from here; it is the one figure format of the project.
register.filter("num", num)
