"""Migrations import no app code (issue 14). A migration runs against the models and code of
its point in the history; live code follows today's models and breaks a fresh migrate when they
change. What a migration runs (data functions, SQL) is frozen in the file and reads models
through apps.get_model.

The one exception is what Django itself writes into a field declaration and must be able to
import to rebuild the field: a callable default, validators, upload_to and choices (e.g.
`default=initiatives.models.new_initiative_key`). Such a reference may only be used there."""

import ast
from pathlib import Path

import pytest

from tests.sources import parse_file
from tests.test_architecture import PACKAGES, ROOT

FIELD_REFERENCES = {"default", "validators", "upload_to", "choices"}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def live_code_imports(path: Path) -> list[str]:
    """Every use of project code in a migration file, except a field reference."""
    tree = parse_file(path)
    found = []
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.split(".")[0] in PACKAGES):
            found.append(f"{path.name}:{node.lineno} imports from {node.module}")
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names if a.name.split(".")[0] in PACKAGES}
    allowed: set[int] = set()  # ids of the attribute nodes that are field references
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in FIELD_REFERENCES:
            allowed |= {id(n) for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not isinstance(getattr(node, "ctx", None),
                                                               ast.Store):
            name = _dotted(node)
            module = name.rpartition(".")[0]
            if module in imported and id(node) not in allowed:
                found.append(f"{path.name}:{node.lineno} uses {name}")
    return found


def migration_files() -> list[Path]:
    return sorted(ROOT.glob("*/migrations/0*.py"))


def test_there_are_migrations_to_scan():
    assert len(migration_files()) > 30


def test_no_migration_imports_app_code():
    offenders = [f"{path.parent.parent.name}/{hit}" for path in migration_files()
                 for hit in live_code_imports(path)]
    assert offenders == []


@pytest.mark.parametrize("source, found", [
    ("from portal.text_search import SearchDocument\n", "imports from portal.text_search"),
    ("import gevinst.history\n\ndef build(apps, schema_editor):\n"
     "    gevinst.history.measurements_revalue(organisation_ids=[1])\n",
     "uses gevinst.history.measurements_revalue"),
    ("def build(apps, schema_editor):\n    from initiatives.timeline import timeline_rebuild\n",
     "imports from initiatives.timeline"),
    ("import initiatives.models\nX = initiatives.models.new_initiative_key()\n",
     "uses initiatives.models.new_initiative_key"),
])
def test_the_scan_finds_live_code(tmp_path, source, found):
    migration = tmp_path / "0099_example.py"
    migration.write_text(source)
    assert any(found in hit for hit in live_code_imports(migration)), live_code_imports(migration)


def test_a_field_reference_is_not_live_code(tmp_path):
    migration = tmp_path / "0099_example.py"
    migration.write_text(
        "import initiatives.models\nimport portal.validators\nfrom django.db import models\n"
        "F = models.CharField(default=initiatives.models.new_initiative_key,\n"
        "                     validators=[portal.validators.validate_org_number])\n")
    assert live_code_imports(migration) == []
