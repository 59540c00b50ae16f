"""Reading a portfolio file safely: bounded size, bounded nesting, errors with a JSON path.

The file is read with ijson's `basic_parse`, whose events carry no path: ijson's `parse` and
`items` build the path string of every event at every level, and the parser produces a whole
read buffer of events at once, so a few kilobytes of `[[[[…` cost memory that grows with the
square of the nesting depth (a 40 KB file took 1 GB). Here the depth is counted on the bare
events and the file is refused at MAX_DEPTH, before any deep structure is built; the path is
kept as a short list of keys and indices (only for depths up to the limit), and the top-level
items are assembled with ijson's ObjectBuilder, one item at a time.

`read_portfolio(source)` yields ("format", value), ("organisations", index, item) and
("initiatives", index, item) in file order and raises FileRefused (with the JSON path where
reading stopped) for anything that is not a well-formed document within the limits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import ijson
from ijson.common import ObjectBuilder

# The deepest legitimate value is initiatives[i].benefits[j].measurements[k].value: depth 7
# (the document, the list, the item, …). Room to spare for unknown extra fields, and small
# enough that the path list and builder stacks stay tiny.
MAX_DEPTH = 20
# Read buffer: also bounds how many events the C parser produces at once.
BUFFER = 16 * 1024
LISTS = ("organisations", "initiatives")
UTF8_BOM = b"\xef\xbb\xbf"


class FileRefused(Exception):
    """The file is not a readable portfolio document; `path` says where reading stopped."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = path, message


def format_path(parts: list) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part is not None:
            text += f".{part}" if text else part
    return text or "$"


def skip_bom(source: IO[bytes]) -> None:
    start = source.read(len(UTF8_BOM))
    if start != UTF8_BOM:
        source.seek(0)


def events(source: IO[bytes], path: list, *, max_depth: int = MAX_DEPTH, backend=ijson
           ) -> Iterator[tuple[str, object]]:
    """ijson's basic events with the nesting bounded; `path` (a list the caller passes in) is
    kept current: keys, and for lists the index of the item being read."""
    depth = 0
    skip_bom(source)
    try:
        for event, value in backend.basic_parse(source, use_float=False, buf_size=BUFFER):
            if path and isinstance(path[-1], int) and event in (
                    "start_map", "start_array", "string", "number", "boolean", "null"):
                path[-1] += 1  # the next item of the list being read
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > max_depth:
                    raise FileRefused(format_path(path),
                                      f"nested deeper than {max_depth} levels")
                path.append(-1 if event == "start_array" else None)
            elif event in ("end_map", "end_array"):
                depth -= 1
                path.pop()
            elif event == "map_key":
                path[-1] = value
            yield event, value
    except FileRefused:
        raise
    except ijson.IncompleteJSONError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "invalid"
        if "premature EOF" in reason:
            reason = "the file ends too early (truncated?)"
        elif "UTF8" in reason:
            reason = "not UTF-8 text"
        elif "invalid char" in reason:
            reason = "not valid JSON (NaN, Infinity and comments are not JSON)"
        else:
            reason = f"not valid JSON ({reason.removeprefix('parse error: ')})"
        raise FileRefused(format_path(path), reason) from None
    except (ijson.JSONError, ValueError, SystemError):
        # A number too long for Python's int conversion (ValueError, surfacing as SystemError
        # from the C parser). The C parser converts a whole buffer before it hands out the
        # events, so the path is that of the buffer's start; the pure-Python parser yields up
        # to the value, so it is asked once more, only to find the path.
        if backend is ijson:
            source.seek(0)
            path.clear()
            for _event in events(source, path, max_depth=max_depth,
                                 backend=ijson.get_backend("python")):
                pass
        raise FileRefused(format_path(path), "not valid JSON (a number too long, or a value "
                          "that could not be read)") from None


@dataclass
class Scan:
    """What the first pass learns: enough to check permissions and duplicates before writing."""

    format: object = None
    organisations: list = field(default_factory=list)
    initiatives: int = 0
    # (organisation number, key) of every initiative: keys are unique per organisation, so
    # two organisations may use the same one.
    keys: Counter = field(default_factory=Counter)
    # Organisation numbers the initiatives name (strings only; other types are reported with
    # their path when the initiative is read).
    initiative_organisations: set = field(default_factory=set)


SCANNED_FIELDS = ("key", "organisation")


def scan(source: IO[bytes], *, max_depth: int = MAX_DEPTH) -> Scan:
    """Read the whole file once with the nesting bounded and its syntax checked, keeping the
    format, the organisations, and the key and organisation of every initiative. Afterwards the
    file is known to be well-formed and shallow, so ijson's faster `items` may read it."""
    found = Scan()
    path: list = []
    builder: ObjectBuilder | None = None
    # The scanned fields of the initiative being read; counted when the next one starts.
    fields: dict = {}
    for event, value in events(source, path, max_depth=max_depth):
        if builder is not None:
            builder.event(event, value)
            if len(path) == 2:  # the organisation item is complete
                found.organisations.append(builder.value)
                builder = None
            continue
        if event in ("map_key", "end_map", "end_array"):
            continue
        container = event in ("start_map", "start_array")
        # How many containers enclose this value.
        level = len(path) - 1 if container else len(path)
        if level == 0:
            if event != "start_map":
                raise FileRefused("$", "must be a JSON object")
        elif level == 1:
            top = path[0]
            if top == "format":
                found.format = "(not a string)" if container else value
            elif top in LISTS and event != "start_array":
                raise FileRefused(top, "must be a list")
        elif level == 2 and path[0] == "organisations":
            if container:
                builder = ObjectBuilder()
                builder.event(event, value)
            else:
                found.organisations.append(value)  # not an object: reported with its path
        elif level == 2 and path[0] == "initiatives":
            found.initiatives += 1
            _count_key(found, fields)
            fields = {}
        elif (level == 3 and path[0] == "initiatives" and path[2] in SCANNED_FIELDS
              and isinstance(value, str)):
            fields[path[2]] = value
            if path[2] == "organisation":
                found.initiative_organisations.add(value)
    _count_key(found, fields)
    return found


def _count_key(found: Scan, fields: dict) -> None:
    if "key" in fields:
        found.keys[(fields.get("organisation"), fields["key"])] += 1
