"""Issue 8, done when: the idea form and the gate decision on the project page can be used with
the keyboard alone (Tab, typing, Enter, Space — no clicks), the focused element is always
visibly marked, and errors are announced: focus moves to an error summary whose links lead to
the fields, and each invalid field is aria-invalid and described by its message."""

import datetime
import re

import pytest

from ideas.models import Idea
from initiatives.models import Initiative, PhaseChange
from initiatives.phase_log import phase_change_record
from projects.models import Project
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

# Focus is visible when the focused element (or, for a checkbox, its field: Designsystemet
# rings the field) has an outline or a focus shadow; a skip link shows focus by appearing.
FOCUSED = """() => {
  const el = document.activeElement;
  const ring = (node) => {
    if (!node) { return false; }
    const s = getComputedStyle(node);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
  };
  const shown = el.classList.contains("ds-skiplink") && el.getBoundingClientRect().width > 1;
  return {desc: `${el.tagName.toLowerCase()}#${el.id}[name=${el.getAttribute("name")}]`
                + ` "${(el.innerText || el.value || "").trim().slice(0, 30)}"`,
          id: el.id, name: el.getAttribute("name"), text: (el.innerText || "").trim(),
          visible: el === document.body || shown || ring(el) || ring(el.closest(".ds-field"))};
}"""


class Keyboard:
    """Moves through a page with Tab only and remembers every stop, to check focus is visible."""

    def __init__(self, page):
        self.page, self.stops = page, []

    def focused(self):
        return self.page.evaluate(FOCUSED)

    def tab_to(self, matches, limit=60):
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            now = self.focused()
            self.stops.append(now)
            if matches(now):
                return now
        raise AssertionError(f"Tab never reached the element; stops: "
                             f"{[s['desc'] for s in self.stops[-limit:]]}")

    def invisible_stops(self):
        return [s["desc"] for s in self.stops if not s["visible"]]


def by_id(element_id):
    return lambda f: f["id"] == element_id


def by_text(text):
    return lambda f: f["text"] == text


def test_an_idea_is_written_and_submitted_with_the_keyboard_alone(open_page, employee,
                                                                  home_org, tmp_path):
    UnitFactory(organisation=home_org, name="Hjemmetjenesten")
    attachment = tmp_path / "skisse.pdf"
    attachment.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page = open_page(employee)
    # Listening from the start turns Chromium's file chooser interception on well before the
    # key press (expect_file_chooser around the press raced with it on a busy machine).
    choosers = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto("/ideas/new/")
    keys = Keyboard(page)

    # The skip link comes first and leads into the main content.
    first = keys.tab_to(lambda f: True, limit=1)
    assert first["text"] == "Hopp til hovedinnhold"
    page.keyboard.press("Enter")
    assert keys.focused()["id"] == "main"

    # Sending the empty form: the errors are announced before anything else.
    keys.tab_to(by_id("id_title"))
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission: the first button, «Send inn»
    summary = page.locator("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), \
        keys.focused()
    assert "Tittel" in summary.inner_text() and "Behov" in summary.inner_text()
    title = page.locator("#id_title")
    assert title.get_attribute("aria-invalid") == "true"
    described = title.get_attribute("aria-describedby").split()
    assert "id_title_error" in described
    for ref in described:  # every id it points at exists and says something
        assert page.locator(f"#{ref}").inner_text().strip(), ref
    assert "Dette feltet er påkrevd" in page.locator("#id_title_error").inner_text()
    assert "Beskriv behovet" in page.locator("#id_need_helptext").inner_text()
    # The summary's first link takes the keyboard to the field.
    keys.tab_to(lambda f: f["text"].startswith("Tittel:"))
    page.keyboard.press("Enter")
    assert keys.focused()["id"] == "id_title"

    page.keyboard.type("Nattilsyn med sensor")
    keys.tab_to(by_id("id_need"))
    page.keyboard.type("Nattevakten vekker brukerne når de går runder.")
    keys.tab_to(by_id("id_unit"))
    page.keyboard.type("Hjemmetjenesten")  # a select picks the option typed
    assert page.locator("#id_unit").evaluate("s => s.selectedOptions[0].text") == \
        "Hjemmetjenesten"
    # The optional part (open again after errors) folds and unfolds with Enter on its summary;
    # Space on the file field opens the file chooser.
    keys.tab_to(lambda f: f["text"].startswith("Mer om idéen"))
    enrich = page.locator("details.enrich")
    assert enrich.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert not enrich.evaluate("d => d.open")
    page.keyboard.press("Enter")
    assert enrich.evaluate("d => d.open")
    keys.tab_to(by_id("id_attachment"))
    page.keyboard.press("Space")
    for _ in range(100):
        if choosers:
            break
        page.wait_for_timeout(100)
    assert choosers, "Space on the file field opened no file chooser"
    choosers[0].set_files(str(attachment))
    keys.tab_to(by_text("Send inn"))
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/ideas/\d+/(#main)?$"))  # the skip link's fragment stays

    idea = Idea.objects.get(title="Nattilsyn med sensor")
    assert (idea.status, idea.unit.name, idea.attachments.count()) == (
        "submitted", "Hjemmetjenesten", 1)
    assert keys.invisible_stops() == [], keys.invisible_stops()


def test_a_gate_decision_is_taken_with_the_keyboard_alone(open_page, manager, home_org):
    initiative = Initiative.objects.create(organisation=home_org, title="Digitalt nattilsyn")
    project = Project.objects.create(initiative=initiative, organisation=home_org,
                                     title="Digitalt nattilsyn", need="Behov")
    phase_change_record(initiative=initiative, to_phase="pilot", actor=None,
                        effective_date=datetime.date.today() - datetime.timedelta(days=100))
    page = open_page(manager)
    page.goto(f"/projects/{project.pk}/")
    keys = Keyboard(page)

    # Stop without a reason: refused, and the keyboard is taken to what is missing.
    keys.tab_to(by_id("id_to_phase"))
    page.keyboard.type("Stoppet")
    assert page.locator("#id_to_phase").input_value() == "stopped"
    keys.tab_to(by_text("Registrer beslutning"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert PhaseChange.objects.filter(initiative=initiative).count() == 1
    keys.tab_to(lambda f: f["text"].startswith("Hvorfor stoppes"))
    page.keyboard.press("Enter")
    assert keys.focused()["id"] == "id_stop_reason"
    assert page.locator("#id_stop_reason").get_attribute("aria-invalid") == "true"

    # Changed mind: a forward gate decision instead, still without the mouse.
    page.keyboard.press("Shift+Tab")
    while keys.focused()["id"] != "id_to_phase":
        page.keyboard.press("Shift+Tab")
        keys.stops.append(keys.focused())
        assert len(keys.stops) < 200
    page.keyboard.type("Implementering")
    assert page.locator("#id_to_phase").input_value() == "implementation"
    keys.tab_to(by_id("id_rationale"))
    page.keyboard.type("Utprøvingen er evaluert i styringsgruppen.")
    keys.tab_to(by_text("Registrer beslutning"))
    with page.expect_navigation():
        page.keyboard.press("Space")

    change = PhaseChange.objects.filter(initiative=initiative).last()
    assert (change.to_phase, change.decided_by, change.rationale) == (
        "implementation", manager, "Utprøvingen er evaluert i styringsgruppen.")
    assert keys.invisible_stops() == [], keys.invisible_stops()
