"""The English catalogue is complete and compiled: every Norwegian msgid has an English
translation (none empty, none fuzzy), and the committed .mo holds exactly the .po's texts."""

import gettext

import pytest
from django.core.management import CommandError, call_command

from portal.management.commands.translations import PO, missing, parse


def test_every_message_has_an_english_translation():
    call_command("translations", "check")


def test_the_compiled_catalogue_matches_the_po_file():
    compiled = gettext.GNUTranslations(open(PO.with_suffix(".mo"), "rb"))
    for entry in parse(PO.read_text(encoding="utf-8")):
        if entry["msgid"] and not entry["plural"]:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


def test_check_names_what_is_missing(tmp_path, monkeypatch):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hei"\nmsgstr ""\n\n#, fuzzy\n'
                  'msgid "Ja"\nmsgstr "No"\n', encoding="utf-8")
    assert [e["msgid"] for e in missing(parse(po.read_text()))] == ["Hei", "Ja"]
    monkeypatch.setattr("portal.management.commands.translations.PO", po)
    with pytest.raises(CommandError, match="2 messages"):
        call_command("translations", "check")
    fill = tmp_path / "en.json"
    fill.write_text('{"Hei": "Hello", "Ja": "Yes"}', encoding="utf-8")
    call_command("translations", "fill", str(fill))
    entries = parse(po.read_text())
    assert [(e["msgid"], e["msgstr"], e["fuzzy"]) for e in entries[1:]] == [
        ("Hei", ["Hello"], False), ("Ja", ["Yes"], False)]
