"""`{% url … as name %}` inside a `{% for %}` keeps its value into the next rounds when a later
row has no URL: «Initiativene bak tallene» on /indicators/ linked rows without a project of
their own to the previous row's project (issue 16). No template may set a URL variable in a
loop; link with a plain `{% url %}` under an `{% if %}` instead."""

import re

from django.conf import settings

from tests.project_apps import ROOT

TAG = re.compile(r"{%\s*(for|endfor|url)\b([^%]*)%}")


def _url_as_in_loops(text: str) -> list[str]:
    depth, found = 0, []
    for match in TAG.finditer(text):
        tag, rest = match.group(1), match.group(2)
        if tag == "for":
            depth += 1
        elif tag == "endfor":
            depth -= 1
        elif depth > 0 and re.search(r"\bas\s+\w+\s*$", rest):
            found.append(match.group(0))
    return found


def test_the_rule_sees_the_indicator_page_bug():
    old = ("{% for line in lines %}{% if line.project_id %}{% url 'projects:detail' "
           "line.project_id as project_url %}{% endif %}{{ project_url }}{% endfor %}")
    assert _url_as_in_loops(old)
    assert not _url_as_in_loops("{% url 'a' as x %}{% for i in l %}{% url 'b' i %}{% endfor %}")


def test_no_template_sets_a_url_variable_inside_a_loop():
    dirs = [d for engine in settings.TEMPLATES for d in engine["DIRS"]]
    dirs += [p for p in ROOT.glob("*/templates") if p.is_dir()]
    offenders = {str(path.relative_to(ROOT)): found for base in dirs
                 for path in sorted(base.rglob("*.html"))
                 if (found := _url_as_in_loops(path.read_text(encoding="utf-8")))}
    assert not offenders
