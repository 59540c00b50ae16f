"""The source sweeps parse through tests.sources, which survives CPython 3.11's AST race."""

import ast
import re

from tests import sources
from tests.test_architecture import ROOT


def test_a_racing_parse_is_retried(monkeypatch):
    real_parse, calls = ast.parse, []

    def racing(source, filename="<unknown>"):
        calls.append(filename)
        if len(calls) == 1:
            raise SystemError("AST constructor recursion depth mismatch (before=141, after=159)")
        return real_parse(source, filename)

    monkeypatch.setattr(ast, "parse", racing)
    tree = sources.parse("x = 1", "m.py")
    assert isinstance(tree.body[0], ast.Assign) and len(calls) == 2


def test_a_syntax_error_is_not_retried():
    try:
        sources.parse("def (", "broken.py")
    except SyntaxError as error:
        assert error.filename == "broken.py"
    else:
        raise AssertionError("a syntax error must surface")


def test_no_test_parses_source_on_its_own():
    """Every sweep goes through tests.sources, so none can fail on the race."""
    direct = re.compile(r"\bast\.parse\(")
    offenders = [path.relative_to(ROOT).as_posix() for path in (ROOT / "tests").rglob("*.py")
                 if path.name not in {"sources.py", "test_sources.py"}
                 and direct.search(path.read_text())]
    assert offenders == []
