"""The API's JSON parser, bounded in nesting depth and size (DEFAULT_PARSER_CLASSES).

DRF's JSONParser hands the body to `json.load`: a body of a few kilobytes of nested brackets
ends in a RecursionError (a 500, not the ParseError DRF turns into a 400). This parser counts
the bracket depth outside strings before parsing and refuses a deeper body with a ParseError
naming the limit — 400 in the API's error shape. DRF reads a JSON body through
`request.body`, which Django bounds by DATA_UPLOAD_MAX_MEMORY_SIZE (the exception handler
answers 413); the parser reads at most that much itself too, should a stream reach it.

No endpoint takes a deep document as JSON (the portfolio import is a file upload with its own
reader), so MAX_DEPTH leaves room for every serializer here with a wide margin.
"""

from __future__ import annotations

import io
import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
# A JSON string literal, escapes included: brackets inside strings do not nest.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


def max_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 10 * 1024 * 1024


def nesting_depth(body: bytes) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped. Runs in C regex passes
    plus one pass over the brackets alone."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    if not brackets:
        return 0
    return max(accumulate(1 if c in b"[{" else -1 for c in brackets))


class BoundedJSONParser(parsers.JSONParser):
    """JSONParser with a size and a depth limit, checked before `json.loads` runs."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_bytes()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(_("JSON-innholdet er for stort (høyst %(limit)s byte).")
                             % {"limit": limit})
        if nesting_depth(body) > self.max_depth:
            raise ParseError(_("JSON-innholdet er nøstet for dypt (høyst %(depth)s nivåer).")
                             % {"depth": self.max_depth})
        return super().parse(io.BytesIO(body), media_type, parser_context)

