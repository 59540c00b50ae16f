"""The release number: one place (pyproject.toml), shown in the footer and by /healthz, and
described in CHANGELOG.md."""

import re
import tomllib
from pathlib import Path

from portal.version import app_version

ROOT = Path(__file__).resolve().parents[2]


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_version_is_pyprojects():
    assert app_version() == pyproject_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", app_version())


def test_the_page_footer_shows_the_version(client, employee):
    client.force_login(employee)
    page = client.get("/").content.decode()
    footer = page[page.index("<footer"):page.index("</footer>")]
    assert f"versjon {pyproject_version()}" in footer


def test_healthz_reports_the_version(client, db):
    assert client.get("/healthz").json()["version"] == pyproject_version()


def test_the_changelog_has_a_section_for_this_version_and_the_previous_release():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.M)
    assert headings[0] == pyproject_version()
    assert "0.1.0" in headings
