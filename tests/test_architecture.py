"""The one-way architecture is a contract (pyproject.toml, [tool.importlinter]): each app
imports only the layers below it, counting every import, also those inside functions."""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.sources import parse_file

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_the_apps_import_downwards_only():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_contract_covers_every_app_of_the_project():
    installed = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert installed <= set(PACKAGES)


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The check can fail: the foundation reaching up to an app is reported, also from
    inside a function."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "portal" / "upward.py").write_text(
        "def sections(user):\n    from ideas import selectors\n\n"
        "    return selectors.personal_data(user)\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "portal.upward -> ideas.selectors" in result.stdout


def _functions_importing_the_project(path: Path) -> list[str]:
    tree = parse_file(path)
    found = []
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [f"{path.name}:{node.lineno} {function.name}() imports {n}"
                      for n in names if n.split(".")[0] in PACKAGES]
    return found


def test_data_migrations_use_historical_models_only():
    """A migration's function runs against the models of its point in the history
    (apps.get_model); live code follows today's models and breaks an old migration."""
    offenders = [hit for path in sorted(ROOT.glob("*/migrations/0*.py"))
                 for hit in _functions_importing_the_project(path)]
    assert offenders == []


def test_the_migration_scan_finds_a_live_import(tmp_path):
    migration = tmp_path / "0006_indicator_timeline.py"
    migration.write_text("def build(apps, schema_editor):\n"
                         "    from initiatives.timeline import timeline_rebuild\n\n"
                         "    timeline_rebuild(everything=True)\n")
    assert _functions_importing_the_project(migration) == [
        "0006_indicator_timeline.py:2 build() imports initiatives.timeline"]
