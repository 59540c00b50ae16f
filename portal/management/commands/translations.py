"""The translated catalogues (English `en`, nynorsk `nn`): find what is missing, and fill it.

    manage.py translations check [--locale nn]           # untranslated or fuzzy: exit 1 if any
    manage.py translations missing [--locale nn]         # the same, as a JSON object to fill in
    manage.py translations fill FILE.json [--locale nn]  # {"bokmål msgid": "text"} into the .po

`--locale` defaults to `en`. Msgids are the bokmål texts. In the JSON, a message with a plural
form takes a list of two texts (singular, plural; both catalogues have nplurals=2); `missing`
shows such messages as ["", ""]. `fill` refuses a text whose placeholders (%(name)s, %s, {…})
or HTML tags differ from the msgid's, so a slip cannot break a page at run time. After `fill`,
compile with `msgfmt` (see README).
"""

import json
import re
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LOCALES = ("en", "nn")
DEFAULT_LOCALE = "en"


def po_path(locale: str = DEFAULT_LOCALE) -> Path:
    return Path(settings.BASE_DIR) / "locale" / locale / "LC_MESSAGES" / "django.po"


# What must survive translation unchanged: printf-style and str.format placeholders, HTML tags.
_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{[^{}]*\}"
                          r"|</?[a-zA-Z][^<>]*>")


def placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text))


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"'):]) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def parse(text: str) -> list[dict]:
    """The catalogue's entries: {"lines", "msgid", "msgid_plural", "msgstr", "fuzzy",
    "plural"}."""
    entries = []
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        fields: dict[str, list[str]] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) "', line)
            if match:
                current = match.group(1)
                fields[current] = [line]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" not in fields:
            continue
        strings = [_unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        entries.append({"lines": lines, "msgid": _unquote(fields["msgid"]),
                        "msgid_plural": _unquote(fields.get("msgid_plural", [])),
                        "msgstr": strings, "plural": "msgid_plural" in fields,
                        "fuzzy": any(line.startswith("#,") and "fuzzy" in line
                                     for line in lines)})
    return entries


def missing(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] and (e["fuzzy"] or not all(e["msgstr"]))]


def format_errors(entry: dict, forms: list[str]) -> list[str]:
    """Why these texts cannot stand for this entry (empty list: they can): each form must
    keep exactly the placeholders and tags of its source (msgid, or msgid_plural for the
    plural form)."""
    sources = [entry["msgid"], entry["msgid_plural"]] if entry["plural"] else [entry["msgid"]]
    errors = []
    for source, form in zip(sources, forms if entry["plural"] else forms[:1]):
        wanted, got = placeholders(source), placeholders(form)
        if wanted != got:
            errors.append(f"{entry['msgid']!r}: placeholders or tags {sorted(wanted)} "
                          f"became {sorted(got)} in {form!r}")
    return errors


class Command(BaseCommand):
    help = "Check or fill a translated catalogue (locale/en, locale/nn)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "missing", "fill"])
        parser.add_argument("file", nargs="?")
        parser.add_argument("--locale", choices=LOCALES, default=DEFAULT_LOCALE,
                            help="the catalogue to work on (default: en)")

    def handle(self, action, file=None, locale=DEFAULT_LOCALE, **options):
        po = po_path(locale)
        try:
            text = po.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{po}: {error} (run makemessages -l {locale} first)") from error
        entries = parse(text)
        if action == "missing":
            todo = missing(entries)
            self.stdout.write(json.dumps({e["msgid"]: ["", ""] if e["plural"] else ""
                                          for e in todo}, ensure_ascii=False, indent=1))
            return
        if action == "check":
            todo = missing(entries)
            for entry in todo:
                self.stdout.write(f"{'fuzzy' if entry['fuzzy'] else 'missing'}: "
                                  f"{entry['msgid']!r}")
            if todo:
                raise CommandError(f"{len(todo)} messages lack a translation in {locale}.")
            self.stdout.write("Every message is translated.")
            return
        if not file:
            raise CommandError("fill needs a JSON file of translations.")
        try:
            wanted = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        if not isinstance(wanted, dict):
            raise CommandError(f"{file}: expected a JSON object of msgid: translation.")
        blocks, filled, refused = [], 0, []
        for block in text.strip("\n").split("\n\n"):
            entry = parse(block)
            translation = wanted.get(entry[0]["msgid"]) if entry else None
            forms = translation if isinstance(translation, list) else [translation]
            if not translation or not all(isinstance(f, str) and f for f in forms):
                blocks.append(block)
                continue
            errors = format_errors(entry[0], forms)
            if errors:
                refused += errors
                blocks.append(block)
                continue
            filled += 1
            kept, in_msgstr = [], False
            for line in block.split("\n"):
                if line.startswith("msgstr"):
                    in_msgstr = True
                elif not (line.startswith('"') and in_msgstr):
                    in_msgstr = False
                    if not line.startswith("#|"):
                        kept.append(line)
            kept = [re.sub(r",\s*fuzzy", "", line) if line.startswith("#,") else line
                    for line in kept]
            kept = [line for line in kept if line.strip() not in {"#", "#,"}]
            if entry[0]["plural"]:
                kept += [f"msgstr[{i}] {_quote(forms[min(i, len(forms) - 1)])}"
                         for i in range(2)]
            else:
                kept.append(f"msgstr {_quote(forms[0])}")
            blocks.append("\n".join(kept))
        po.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
        self.stdout.write(f"Filled {filled} messages in {po}.")
        if refused:
            for error in refused:
                self.stderr.write(error)
            raise CommandError(f"{len(refused)} translations refused (placeholders or tags "
                               f"differ); the others are filled.")
