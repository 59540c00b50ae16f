"""The translated catalogues are complete and compiled: every bokmål msgid has an English and a
nynorsk translation (none empty, none fuzzy), the committed .mo holds exactly the .po's texts,
and no translation lost a placeholder or a tag of its msgid."""

import gettext

import pytest
from django.core.management import CommandError, call_command

from portal.management.commands.translations import (
    LOCALES,
    format_errors,
    missing,
    parse,
    po_path,
)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_has_a_translation(locale):
    call_command("translations", "check", locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_matches_the_po_file(locale):
    po = po_path(locale)
    with open(po.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in parse(po.read_text(encoding="utf-8")):
        if not entry["msgid"]:
            continue
        if entry["plural"]:
            for n, form in ((1, 0), (2, 1)):
                assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) \
                    == entry["msgstr"][form], entry["msgid"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders_and_tags(locale):
    entries = parse(po_path(locale).read_text(encoding="utf-8"))
    errors = [error for entry in entries if entry["msgid"]
              for error in format_errors(entry, entry["msgstr"])]
    assert errors == []


def test_the_nynorsk_catalogue_declares_its_language_and_plural_forms():
    header = parse(po_path("nn").read_text(encoding="utf-8"))[0]["msgstr"][0]
    assert "Language: nn\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header


@pytest.mark.parametrize("locale", LOCALES)
def test_check_names_what_is_missing_and_fill_fills_the_locale_asked_for(
        locale, tmp_path, monkeypatch):
    catalogues = {}
    for code in LOCALES:
        po = tmp_path / code / "django.po"
        po.parent.mkdir()
        po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hei"\nmsgstr ""\n\n#, fuzzy\n'
                      'msgid "Ja"\nmsgstr "No"\n\nmsgid "%(n)s idé"\n'
                      'msgid_plural "%(n)s idéer"\nmsgstr[0] ""\nmsgstr[1] ""\n',
                      encoding="utf-8")
        catalogues[code] = po
    monkeypatch.setattr("portal.management.commands.translations.po_path",
                        lambda code="en": catalogues[code])
    assert [e["msgid"] for e in missing(parse(catalogues[locale].read_text()))] == [
        "Hei", "Ja", "%(n)s idé"]
    with pytest.raises(CommandError, match=f"3 messages lack a translation in {locale}"):
        call_command("translations", "check", locale=locale)
    fill = tmp_path / "fill.json"
    fill.write_text('{"Hei": "Hallo", "Ja": "Jau", "%(n)s idé": ["%(n)s idé", "%(n)s idear"]}',
                    encoding="utf-8")
    call_command("translations", "fill", str(fill), locale=locale)
    entries = parse(catalogues[locale].read_text())
    assert [(e["msgid"], e["msgstr"], e["fuzzy"]) for e in entries[1:]] == [
        ("Hei", ["Hallo"], False), ("Ja", ["Jau"], False),
        ("%(n)s idé", ["%(n)s idé", "%(n)s idear"], False)]
    other = next(code for code in LOCALES if code != locale)
    assert len(missing(parse(catalogues[other].read_text()))) == 3


def test_locale_defaults_to_english(tmp_path, monkeypatch):
    asked = []

    def fake_po_path(code="en"):
        asked.append(code)
        po = tmp_path / "django.po"
        po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hei"\nmsgstr "Hello"\n', encoding="utf-8")
        return po

    monkeypatch.setattr("portal.management.commands.translations.po_path", fake_po_path)
    call_command("translations", "check")
    assert asked == ["en"]


def test_fill_refuses_a_translation_that_loses_a_placeholder_or_tag(tmp_path, monkeypatch):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hei %(name)s"\nmsgstr ""\n\n'
                  'msgid "Du er <strong>%(role)s</strong>."\nmsgstr ""\n\n'
                  'msgid "Takk"\nmsgstr ""\n\nmsgid "%(n)s idé"\n'
                  'msgid_plural "%(n)s idéer"\nmsgstr[0] ""\nmsgstr[1] ""\n', encoding="utf-8")
    monkeypatch.setattr("portal.management.commands.translations.po_path", lambda code="en": po)
    fill = tmp_path / "fill.json"
    fill.write_text('{"Hei %(name)s": "Hei %(namn)s", '
                    '"Du er <strong>%(role)s</strong>.": "Du er %(role)s.", '
                    '"Takk": "Takk", "%(n)s idé": ["%(n)s idé", "mange idear"]}',
                    encoding="utf-8")
    with pytest.raises(CommandError, match="3 translations refused"):
        call_command("translations", "fill", str(fill), locale="nn")
    entries = {e["msgid"]: e["msgstr"] for e in parse(po.read_text())}
    assert entries["Takk"] == ["Takk"]
    assert entries["Hei %(name)s"] == [""]
    assert entries["Du er <strong>%(role)s</strong>."] == [""]
    assert entries["%(n)s idé"] == ["", ""]
