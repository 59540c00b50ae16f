"""Issue 8, done when: axe-core finds no serious or critical WCAG 2 A/AA violation on the main
pages, each seen by the demo user who works there, with the demo data loaded.

axe.min.js (vendored, static/vendor/axe-core) is injected with page.add_script_tag. The app's
CSP (script-src 'self', no inline) would block the injected script, so these contexts are
opened with bypass_csp=True: the exception is for the test tool only. Every other browser test
runs under the real CSP, and the console watch in conftest fails them on any violation."""

from pathlib import Path

import pytest

from gevinst.models import Benefit
from ideas.models import Idea
from portal import demo_data
from portal.context_processors import user_context
from portal.models import Organisation, User
from portal.navigation import nav_for
from projects.models import Project

# The demo tests share one load of the demo per worker (tests/browser/conftest.py, `demo`).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "innoportal-demo"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ") + " – " + n.failureSummary.split("\\n")[1]),
  }));
}"""


def leader_of(project) -> str:
    """Who edits a project: its leader, else the manager."""
    return project.leader.username if project.leader_id else "leder"


def analyst_pages():
    """Every page in the national analyst's menu (the analyst views join by adding theirs)."""
    analyst = User.objects.get(username="analytiker")
    context = user_context(analyst)
    return [("analytiker", url, f"{label}, national analyst")
            for _name, label, url in nav_for(analyst, context["capabilities"],
                                             bool(context["memberships"]), True)]


def pages_to_check():
    """(user, path, what) for each main page, with the demo rows each page shows."""
    home = Organisation.objects.get(org_number=demo_data.DEMO_HOME)
    neighbour = Organisation.objects.get(org_number=demo_data.DEMO_NEIGHBOUR)
    idea = Idea.objects.filter(organisation=home).order_by("pk").first()
    project = (Project.objects.filter(organisation=home, initiative__phase="implementation")
               .order_by("pk").first() or Project.objects.filter(organisation=home).first())
    benefit = Benefit.objects.filter(project__organisation=home,
                                     measurements__isnull=False).first()
    shared = Project.objects.filter(organisation=neighbour).exclude(visibility="organisation"
                                                                    ).first()
    return [
        (None, "/accounts/login/", "login"),
        ("ansatt", "/", "home"),
        ("ansatt", "/ideas/new/", "idea form"),
        ("ansatt", "/ideas/", "idea list"),
        ("koordinator", f"/ideas/{idea.pk}/", "idea detail"),
        ("koordinator", "/ideas/queue/", "screening queue"),
        ("leder", "/projects/", "project list"),
        ("leder", f"/projects/{project.pk}/", "project page"),
        ("prosjektleder", "/benefits/", "benefit overview"),
        ("prosjektleder", f"/benefits/project/{benefit.project_id}/", "project benefits"),
        ("prosjektleder", f"/benefits/{benefit.pk}/", "benefit page"),
        ("leder", "/dashboard/", "manager dashboard"),
        ("leder", "/indicators/", "indicators"),
        *analyst_pages(),
        ("leder", "/projects/catalogue/", "catalogue"),
        ("leder", f"/projects/catalogue/{shared.pk}/", "catalogue entry"),
        (leader_of(benefit.project), f"/benefits/project/{benefit.project_id}/new/",
         "benefit form"),
        (leader_of(project), f"/projects/{project.pk}/edit/", "project edit form"),
        ("admin", "/organisation/", "organisation admin"),
    ]


def submit_empty_idea(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Send inn").click()


def stop_without_reason(page):
    page.locator("#id_to_phase").select_option("stopped")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrer beslutning").click()


def open_table_alternatives(page):
    for summary in page.locator("details.table-alt > summary").all():
        summary.click()


# States that only appear after a step: forms with errors, folded tables opened.
AFTER_A_STEP = {"idea form": submit_empty_idea, "project page": stop_without_reason,
                "manager dashboard": open_table_alternatives}


def test_main_pages_have_no_serious_or_critical_axe_violations(open_page, demo):
    pages, problems = {}, []
    for username, path, what in pages_to_check():
        if username not in pages:
            user = User.objects.get(username=username) if username else None
            # The first demo user logs in through the form with the demo password.
            pages[username] = open_page(user, bypass_csp=True,
                                        password=DEMO_PASSWORD if username == "ansatt" else None)
        page = pages[username]
        response = page.goto(path)
        assert response.status == 200, (what, path, response.status)
        page.wait_for_load_state("load")
        problems += axe_problems(page, f"{what} ({path} as {username})")
        if what in AFTER_A_STEP:
            AFTER_A_STEP[what](page)
            problems += axe_problems(page, f"{what} after {AFTER_A_STEP[what].__name__}")
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def axe_problems(page, where) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return [f"{where}: {v['id']} [{v['impact']}] {v['help']}\n    "
            + "\n    ".join(v["targets"][:8])
            for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]
