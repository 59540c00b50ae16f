"""The English catalogue: find what is missing, and fill it.

    manage.py translations check            # untranslated and fuzzy messages; exit 1 if any
    manage.py translations missing          # the same, as a JSON object to fill in
    manage.py translations fill FILE.json   # {"norsk msgid": "English", ...} into the .po

After `fill`, compile with `msgfmt` (see README). Msgids are the Norwegian texts.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"'):]) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def parse(text: str) -> list[dict]:
    """The catalogue's entries: {"lines", "msgid", "msgstr", "fuzzy", "plural"}."""
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
                        "msgstr": strings, "plural": "msgid_plural" in fields,
                        "fuzzy": any(line.startswith("#,") and "fuzzy" in line
                                     for line in lines)})
    return entries


def missing(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] and (e["fuzzy"] or not all(e["msgstr"]))]


class Command(BaseCommand):
    help = "Check or fill the English catalogue (locale/en)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "missing", "fill"])
        parser.add_argument("file", nargs="?")

    def handle(self, action, file=None, **options):
        text = PO.read_text(encoding="utf-8")
        entries = parse(text)
        if action == "missing":
            self.stdout.write(json.dumps({e["msgid"]: "" for e in missing(entries)},
                                         ensure_ascii=False, indent=1))
            return
        if action == "check":
            todo = missing(entries)
            for entry in todo:
                self.stdout.write(f"{'fuzzy' if entry['fuzzy'] else 'missing'}: "
                                  f"{entry['msgid']!r}")
            if todo:
                raise CommandError(f"{len(todo)} messages lack an English translation.")
            self.stdout.write("Every message is translated.")
            return
        if not file:
            raise CommandError("fill needs a JSON file of translations.")
        try:
            wanted = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        blocks, filled = [], 0
        for block in text.strip("\n").split("\n\n"):
            entry = parse(block)
            translation = wanted.get(entry[0]["msgid"]) if entry else None
            if not translation:
                blocks.append(block)
                continue
            filled += 1
            forms = translation if isinstance(translation, list) else [translation]
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
        PO.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
        self.stdout.write(f"Filled {filled} messages in {PO}.")

