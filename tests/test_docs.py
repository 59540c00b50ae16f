"""The repository documents itself under docs/ (issue 14): code comments point to docs/ files
that exist, to sections that exist, and no longer to a DOMAIN.md or STYLE.md that a clone does
not contain."""

import re

from tests.test_architecture import PACKAGES, ROOT

DOCS = ("domain.md", "architecture.md", "howto.md")
REFERENCE = re.compile(r"docs/(\w+\.md)(?:'s)?(?:\s+\"([^\"]+)\")?")


def sources():
    for folder in (*PACKAGES, "tests", "bench", "scripts"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def headings(name: str) -> set[str]:
    text = (ROOT / "docs" / name).read_text()
    found = set()
    for line in text.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip()
            found.add(title)
            found.add(re.sub(r"\s*\(.*\)$", "", title))  # "Ideas (app `ideas`)" -> "Ideas"
    return found


def test_the_docs_exist_and_the_readme_links_them():
    readme = (ROOT / "README.md").read_text()
    for name in DOCS:
        assert (ROOT / "docs" / name).read_text().startswith("# ")
        assert f"(docs/{name})" in readme


def test_no_code_points_to_files_a_clone_does_not_contain():
    offenders = []
    for path in sources():
        if path.name == "test_docs.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\b(DOMAIN|STYLE)\.md\b", line) and "docs/" not in line:
                if "migrations" in path.parts and '"description":' in line:
                    continue  # data a migration stored; changing it would change the data
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_every_reference_to_docs_names_a_file_and_section_that_exist():
    missing = []
    seen = 0
    for path in sources():
        for name, section in REFERENCE.findall(path.read_text()):
            seen += 1
            if name not in DOCS:
                missing.append(f"{path.relative_to(ROOT)}: docs/{name}")
            elif section and section not in headings(name):
                missing.append(f"{path.relative_to(ROOT)}: docs/{name} \"{section}\"")
    assert seen > 40
    assert missing == []
