"""The indicator page's long lists written in Python (indicators.rows) are the markup the page's
template wrote for them, byte for byte: the template loops below are the ones the rows
replaced in templates/indicators/home.html, rendered beside the Python rows for lines that
exercise every branch (a link or none, a hidden title, text to escape, decimals to round half
up, grouped thousands, negative kroner, no value) in Norwegian and in English."""

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from indicators import rows
from indicators.explain import HIDDEN_TITLE, AdoptionLine, BenefitLine, InitiativeLine

# The loops as they stood in templates/indicators/home.html before indicators.rows.
INITIATIVE_LOOP = (
    '{% for line in lines %}<tr>\n'
    '      <td>{% if line.project_id %}<a class="ds-link" href="{{ line.project_url }}">'
    '{{ line.title }}</a>{% else %}{{ line.title }}{% endif %}</td>\n'
    '      <td>{{ line.phase_label }}</td><td class="num">{{ line.points|num }}</td>'
    '<td class="num">{{ line.forward_transitions }}</td>'
    '<td class="num">{{ line.benefit_points|num:3 }}</td>\n'
    '    </tr>{% endfor %}')
ADOPTION_LOOP = (
    '{% for a in adoptions %}<li>{{ a.title }} – {{ a.organisation }} ({{ a.phase_label }}): '
    '{{ a.points|num }} {% translate "poeng" %}</li>{% endfor %}')
BENEFIT_LOOP = (
    '{% for b in benefits %}<tr><td>{{ b.title }}</td><td>{{ b.project_title }}</td>'
    '<td class="num">{{ b.change|num }}</td>'
    '<td class="num{% if b.nok_per_year < 0 %} negative{% endif %}">'
    '{{ b.nok_per_year|num:0 }}</td></tr>{% endfor %}')


def _template(loop: str, **context) -> str:
    return engines["django"].from_string(
        "{% load i18n gevinst_tags %}" + loop).render(context)


def _line(pk, title, phase, *, project_id=None, points=0.0, benefits=(0.0, 0.0, 0.0),
          forward=0) -> InitiativeLine:
    line = InitiativeLine(initiative_id=pk, title=title, phase=phase, project_id=project_id,
                          points=points, forward_transitions=forward,
                          benefit_by_dimension=dict(zip(("user", "economic", "organisational"),
                                                        benefits, strict=True)))
    if project_id:
        line.project_url = f"/projects/{project_id}/"
    return line


INITIATIVES = [
    _line(1, "Digitalt tilsyn på natt", "spread", project_id=7, points=16.0,
          benefits=(1.5, 0.75, 0.0), forward=2),
    _line(2, "Idé uten prosjekt", "idea", points=1.0),  # no project: no link
    _line(3, HIDDEN_TITLE, "pilot", points=4.0, benefits=(0.125, 0.0, 1 / 3)),  # hidden
    _line(4, 'Tom & "Jerry" <script>', "concept", project_id=8, points=2.0, forward=1),
    _line(5, "Stort", "implementation", project_id=9, points=12345.675,
          benefits=(1000.0005, 2.0, 0.0), forward=1234),
    _line(6, "Samme poeng som første", "spread", project_id=10, points=16.0,
          benefits=(1.5, 0.75, 0.0), forward=2),  # the figures written once are reused
    _line(7, "Parkert", "parked", points=0.0),
]
ADOPTIONS = [
    AdoptionLine(project_id=11, title="Adoptert <b>løsning</b>", organisation="Bø & Sauherad",
                 phase="implementation", points=4.0),
    AdoptionLine(project_id=12, title="Spredd", organisation="Oslo", phase="spread",
                 points=4.5),
]
BENEFITS = [
    BenefitLine(benefit_id=1, title="Færre reiser", project_title="Nattilsyn",
                change=Decimal("10.25"), nok_per_year=Decimal("241020.50")),
    BenefitLine(benefit_id=2, title="Tapt tid", project_title="A & B",
                change=Decimal("-2.125"), nok_per_year=Decimal("-67704")),  # a loss
    BenefitLine(benefit_id=3, title=HIDDEN_TITLE, project_title=HIDDEN_TITLE,
                change=None, nok_per_year=Decimal("0")),
    BenefitLine(benefit_id=4, title="Stor", project_title="<Prosjekt>",
                change=Decimal("1234567.005"), nok_per_year=Decimal("12345678901234.49")),
]


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_initiative_rows_are_the_templates(language, grouping, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping  # what {{ line.forward_transitions }} follows
    with translation.override(language):
        assert rows.initiative_rows(INITIATIVES) == _template(INITIATIVE_LOOP,
                                                              lines=INITIATIVES)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_adoption_items_are_the_templates(language):
    with translation.override(language):
        assert rows.adoption_items(ADOPTIONS) == _template(ADOPTION_LOOP, adoptions=ADOPTIONS)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_benefit_rows_are_the_templates(language):
    with translation.override(language):
        assert rows.benefit_rows(BENEFITS) == _template(BENEFIT_LOOP, benefits=BENEFITS)


def test_the_rows_escape_titles_link_only_own_projects_and_mark_losses():
    """What matters on the page, said plainly (should the comparison above ever be
    changed along with the rows)."""
    with translation.override("nb"):
        lines = rows.initiative_rows(INITIATIVES)
        benefits = rows.benefit_rows(BENEFITS)
    assert '<a class="ds-link" href="/projects/7/">Digitalt tilsyn på natt</a>' in lines
    assert "<td>Idé uten prosjekt</td>" in lines
    assert "<td>Ikke delt utenfor organisasjonen</td>" in lines
    assert "Tom &amp; &quot;Jerry&quot; &lt;script&gt;" in lines and "<script>" not in lines
    assert '<td class="num">12\u00a0345,68</td>' in lines  # rounded half up, grouped
    assert lines.count("<tr>") == len(INITIATIVES)
    assert '<td class="num negative">\u221267' in benefits
    assert benefits.count("negative") == 1
    assert '<td class="num">–</td>' in benefits  # no value
