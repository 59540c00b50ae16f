"""Every HTML page, as every persona, with a script payload in every user text field.

The world is the demo data plus what it lacks (tests/security/world.py); then every
CharField/TextField of every model — found programmatically, so a new field is covered — is
overwritten with `"><img src=x onerror=alert(1)><script>alert(1)</script>` (URL fields with
`javascript:alert(1)`). A crawler follows every link each persona sees from the home page. On
every page: the payload never appears unescaped, the Content-Security-Policy forbids inline
script and style, and the HTML has no inline script, event-handler attribute, style attribute
or javascript: URL. Built once per module inside a transaction that is rolled back."""

import re

import pytest
from django.db import transaction
from django.test import Client, override_settings

from projects.services.content import CONTENT_KINDS
from tests.security import world
from tests.security.crawl import crawl, shape

# Marks the module as using the database, so the test database is set up for it.
pytestmark = pytest.mark.django_db

START = ["/", "/ideas/", "/ideas/campaigns/", "/ideas/queue/", "/projects/",
         "/projects/catalogue/", "/projects/checklists/", "/benefits/", "/benefits/calculator/",
         "/indicators/", "/indicators/schemes/", "/dashboard/", "/organisation/",
         "/account/api-tokens/", "/account/my-data/", "/accounts/password_change/"]
ANONYMOUS_START = ["/accounts/login/", "/projects/catalogue/", "/accounts/password_reset/"]

# Page shapes the crawl must reach, or the sweep has silently lost its coverage.
REQUIRED_SHAPES = {
    "/", "/ideas/", "/ideas/N/", "/ideas/N/edit/", "/ideas/new/", "/ideas/campaigns/",
    "/ideas/campaigns/N/", "/ideas/queue/", "/ideas/N/comments/N/edit/",
    "/projects/", "/projects/N/", "/projects/N/edit/", "/projects/catalogue/",
    "/projects/catalogue/N/", *(f"/projects/N/{kind}/N/" for kind in CONTENT_KINDS),
    "/projects/checklists/N/",
    "/benefits/", "/benefits/N/", "/benefits/N/edit/", "/benefits/project/N/",
    "/benefits/project/N/map/", "/benefits/project/N/plan/", "/benefits/project/N/plan/print/",
    "/indicators/", "/dashboard/", "/organisation/N/members/", "/organisation/N/units/",
    "/organisation/N/units/N/", "/account/api-tokens/", "/account/my-data/", "/accounts/login/",
}


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), \
            transaction.atomic():
        built = world.build_world(media)
        users = built["users"]
        # One edit page per kind of project content (the crawl visits only a few projects).
        content = [f"/projects/{item.project_id}/{kind}/{item.pk}/"
                   for kind, spec in CONTENT_KINDS.items()
                   for item in spec.model.objects.order_by("id")[:1]]
        poisoned = world.poison()
        crawls = {}
        for name in world.PERSONAS:
            client = Client()
            client.force_login(users[name])
            crawls[name] = crawl(client, START + content)
        crawls["anonymous"] = crawl(Client(), ANONYMOUS_START)
        transaction.set_rollback(True)
    return {"poisoned": poisoned, "crawls": crawls}


def _pages(sweep):
    for persona, result in sweep["crawls"].items():
        for page in result.html_pages:
            yield persona, page


def test_the_payload_reaches_every_kind_of_user_text(sweep):
    poisoned = set(sweep["poisoned"])
    for field in ("ideas.Idea.title", "ideas.Idea.need", "ideas.Comment.body", "ideas.Tag.name",
                  "ideas.Campaign.description", "projects.Project.title",
                  "projects.ProjectLink.url", "projects.ProjectRisk.mitigation",
                  "initiatives.PhaseChange.rationale", "gevinst.Benefit.title",
                  "gevinst.Measurement.evidence", "gevinst.BenefitMapNode.label",
                  "portal.Unit.name", "portal.User.first_name", "portal.Organisation.name"):
        assert field in poisoned, field


def test_the_crawl_reaches_every_main_page(sweep):
    reached = {shape(p.url) for _persona, p in _pages(sweep)}
    assert REQUIRED_SHAPES <= reached, sorted(REQUIRED_SHAPES - reached)


def test_no_page_fails_on_hostile_text(sweep):
    failures = [(persona, p.url, p.status) for persona, result in sweep["crawls"].items()
                for p in result.pages if p.status >= 500]
    assert not failures


def test_user_text_is_never_rendered_unescaped(sweep):
    leaks = [(persona, page.url, marker) for persona, page in _pages(sweep)
             for marker in world.RAW_MARKERS if marker in page.html]
    assert not leaks


def test_no_javascript_urls_in_links_or_forms(sweep):
    found = [(persona, page.url, page.parsed.javascript_urls) for persona, page in _pages(sweep)
             if page.parsed.javascript_urls]
    assert not found


def test_csp_header_forbids_inline_script_and_style_on_every_page(sweep):
    bad = []
    for persona, page in _pages(sweep):
        policy = page.response.get("Content-Security-Policy", "")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        script = directives.get("script-src", directives.get("default-src"))
        style = directives.get("style-src", directives.get("default-src"))
        if not script or not style or "'unsafe-inline'" in script + style or \
                "'unsafe-eval'" in script:
            bad.append((persona, page.url, policy))
    assert not bad


def test_no_inline_script_handler_or_style_attribute_in_any_page(sweep):
    bad = []
    for persona, page in _pages(sweep):
        parsed = page.parsed
        if parsed.inline_scripts or parsed.handlers or parsed.styles:
            bad.append((persona, page.url, parsed.inline_scripts[:1], parsed.handlers[:3],
                        parsed.styles[:3]))
    assert not bad


def test_json_data_blocks_cannot_close_their_script_element(sweep):
    # json_script escapes <, > and & so a payload cannot end the <script type=application/json>
    pattern = re.compile(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', re.S)
    bad = [(persona, page.url) for persona, page in _pages(sweep)
           for block in pattern.findall(page.html) if "<" in block]
    assert not bad

