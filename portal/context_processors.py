from portal.access import analyses_networks, memberships_of
from portal.navigation import nav_for, nav_split
from portal.roles import ROLE_CAPABILITIES
from portal.version import app_version


def user_context(user) -> dict:
    """Memberships, capabilities and analyst scope of the signed-in user (one query, once)."""
    cached = getattr(user, "_portal_context", None)
    if cached is not None:
        return cached
    memberships = list(memberships_of(user).values())
    capabilities = set()
    for m in memberships:
        capabilities |= ROLE_CAPABILITIES.get(m.role, frozenset())
    is_analyst = user.is_national_analyst or analyses_networks(user)
    context = {"memberships": memberships, "capabilities": capabilities, "is_analyst": is_analyst}
    user._portal_context = context
    return context


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    ctx = user_context(user)
    items = nav_for(user, ctx["capabilities"], bool(ctx["memberships"]), ctx["is_analyst"])
    primary, more = nav_split(items)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    return {
        "nav_items": items,
        "nav_primary": primary,
        "nav_more": more,
        # «Mer» is marked when the page shown is one of its items.
        "nav_more_current": any(name == current for name, _label, _url in more),
        "my_memberships": ctx["memberships"],
    }


def release(request):
    """The release number for the page footer (operators and support ask «which version?»)."""
    return {"app_version": app_version()}
