"""The main navigation: each item names the capability it needs. Items whose page does not
exist (yet) are left out, so apps add their pages by adding a line here."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from portal.roles import Capability


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    capability: Capability | None = None  # None: any member
    analyst: bool = False  # shown to network and national analysts too
    analyst_only: bool = False  # shown only to analysts (and operators)


NAV_ITEMS = [
    NavItem("home", _("Forside"), analyst=True),
    NavItem("ideas:list", _("Idéer")),
    NavItem("ideas:queue", _("Vurdering"), Capability.SCREEN_IDEAS),
    NavItem("projects:list", _("Prosjekter")),
    NavItem("gevinst:overview", _("Gevinster"), Capability.LEAD_PROJECTS),
    NavItem("dashboards:manager", _("Styringstavle"), Capability.VIEW_DASHBOARDS),
    NavItem("indicators:home", _("Indikatorer"), Capability.VIEW_DASHBOARDS, analyst=True),
    # After the daily work: the catalogue of other municipalities' projects is looked up now
    # and then, so for the roles with the most items it is the first to move under «Mer».
    NavItem("projects:catalogue", _("Katalog"), analyst=True),
    NavItem("indicators:analysis", _("Analyse"), analyst=True, analyst_only=True),
    NavItem("org-admin", _("Organisasjon"), Capability.MANAGE_ORGANISATION),
]


# The header holds one row at 1280 px (issue 16): with more items than this, the first
# NAV_SHOWN - 1 stay in the row and the rest fold under «Mer». Seven items in Norwegian,
# English or nynorsk fit beside the logo, «Varsler» and a long name; nine do not.
NAV_SHOWN = 7


def nav_split(items: list) -> tuple[list, list]:
    """(the items shown in the header row, the items under «Mer»), in menu order."""
    if len(items) <= NAV_SHOWN:
        return items, []
    return items[:NAV_SHOWN - 1], items[NAV_SHOWN - 1:]


def nav_for(user, capabilities: set[Capability], is_member: bool, is_analyst: bool):
    items = []
    for item in NAV_ITEMS:
        if item.analyst_only:
            allowed = is_analyst or user.is_superuser
        elif item.capability is None:
            allowed = is_member or (item.analyst and is_analyst)
        else:
            allowed = item.capability in capabilities or (item.analyst and is_analyst)
        if not allowed:
            continue
        try:
            items.append((item.url_name, item.label, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return items
