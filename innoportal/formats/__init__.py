"""The project's own date and number formats, per language (settings.FORMAT_MODULE_PATH).

One short date (06.12.2026) and one long (6. desember 2026) on every page and mail, a date
with time as 06.12.2026 14:05, and numbers as the language writes them: 1 234,5 in Norwegian
(a non-breaking space groups the thousands) and 1,234.5 in English. Templates use the named
formats (`|date:"SHORT_DATE_FORMAT"`, `|date:"DATE_FORMAT"`, `|num` and `|kr`: see
portal/templatetags/formatting.py) and Python code `django.utils.formats.date_format` /
`portal.numbers.number_text` (docs/architecture.md "Dates and numbers for people");
tests/portal/test_formats.py sweeps for literal patterns.

What a module leaves out (input formats, month names, first day of the week) comes from
Django's own module for the language. The English interface keeps the Norwegian date order
(it is read by people at Norwegian municipalities): only the month names and the number
separators are English."""
