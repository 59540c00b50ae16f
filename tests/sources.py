"""Reading the project's own source as a syntax tree, for the sweeps that scan it.

CPython 3.11 keeps the AST constructor's recursion counter in module-wide state, so an
`ast.parse` running while another thread converts a tree (the session's live server thread
formats a traceback with `ast` since 3.11) can fail with "SystemError: AST constructor
recursion depth mismatch" (python/cpython#106905). The counter is reset at the start of each
conversion, so parsing again is sound; a real syntax error is a SyntaxError and is not retried.
"""

import ast
from pathlib import Path

ATTEMPTS = 5


def parse(source: str, filename: str = "<unknown>") -> ast.Module:
    for attempt in range(ATTEMPTS):
        try:
            return ast.parse(source, filename)
        except SystemError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def parse_file(path: Path) -> ast.Module:
    return parse(path.read_text(), str(path))
