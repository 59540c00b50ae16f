"""Issue 16: the point scheme is edited in a form, not as raw JSON. One Norwegian number field
per phase, the benefit settings, a valid-from date; a confirmation of what changes and which
years are recomputed (frozen years never); the new version is audited and used by the next
recompute, which is scheduled through the dirty marks like every other change."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorSnapshot, PointScheme
from initiatives.models import ORDERED_PHASES, IndicatorDirty
from tests.factories import UserFactory
from tests.indicators.helpers import make_initiative

URL = reverse("indicators:schemes")
STANDARD_POINTS = {"idea": "1", "concept": "2", "pilot": "4", "implementation": "8",
                   "benefit_realisation": "12", "spread": "16"}
STANDARD_WEIGHTS = {"idea": "0", "concept": "0,25", "pilot": "0,5", "implementation": "0,75",
                    "benefit_realisation": "1", "spread": "1"}


def scheme_form(**changes) -> dict:
    data = {"name": "standard", "valid_from": "2024-01-01", "adoption_points": "4",
            "adoption_min_phase": "implementation", "expected_discount": "0,5",
            "description": "Utprøving teller mer"}
    data |= {f"points_{p}": v for p, v in STANDARD_POINTS.items()}
    data |= {f"weight_{p}": v for p, v in STANDARD_WEIGHTS.items()}
    return data | changes


@pytest.fixture
def operator(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def pilot_2024(home_org):
    """A pilot in 2024, computed: 4 points under standard-1."""
    make_initiative(home_org, [("pilot", "2024-03-01")], title="Digitalt nattilsyn")
    services.indicators_recompute(year=2024)
    IndicatorDirty.objects.all().delete()  # the phase log's own marks: not this test's subject


def test_the_page_names_the_phases_in_norwegian(client, manager):
    client.force_login(manager)
    html = client.get(URL).content.decode()
    for label in ("Idé", "Konsept", "Utprøving", "Implementering", "Gevinstrealisering",
                  "Spredning"):
        assert f'<th scope="col" class="num">{label}</th>' in html
    for code in ("benefit_realisation", "implementation", ">pilot<", ">spread<"):
        assert code not in html


@pytest.mark.parametrize("persona", ["employee", "coordinator", "project_leader", "manager",
                                     "admin"])
def test_only_the_portals_administrators_may_add_a_version(client, personas, persona):
    client.force_login(personas[persona])
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"] is None
    assert "points_pilot" not in page.content.decode()
    response = client.post(URL, scheme_form(points_pilot="5", confirm="1"))
    assert response.status_code == 403
    assert PointScheme.objects.count() == 1 and not IndicatorDirty.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    assert client.post(URL, scheme_form(confirm="1")).status_code == 302
    assert PointScheme.objects.count() == 1


def test_the_form_starts_from_the_version_in_force(client, operator):
    client.force_login(operator)
    form = client.get(URL).context["form"]
    html = client.get(URL).content.decode()
    assert form["points_pilot"].value() == 4
    assert 'name="weight_concept" value="0,25"' in html  # Norwegian decimal comma
    assert 'inputmode="decimal"' in html


@pytest.mark.parametrize("field, value, message", [
    ("points_pilot", "fem", "Skriv et tall"),
    ("points_pilot", "-1", "større enn eller lik 0"),
    ("points_spread", "1 000,5", "mindre enn eller lik 1000"),
    ("weight_pilot", "1,5", "mindre enn eller lik 1"),
    ("expected_discount", "", "påkrevd"),
    ("valid_from", "1999-12-31", "før 01.01.2000"),
])
def test_bad_values_are_refused_on_their_field_and_nothing_is_written(client, operator,
                                                                     field, value, message):
    client.force_login(operator)
    response = client.post(URL, scheme_form(**{field: value, "confirm": "1"}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert PointScheme.objects.count() == 1 and not IndicatorDirty.objects.exists()
    assert f'value="{value}"' in response.content.decode() or not value  # kept as typed


def test_a_version_may_not_start_before_the_one_it_follows(client, operator):
    services.point_scheme_create(actor=operator, **_values(valid_from="2025-01-01"))
    client.force_login(operator)
    response = client.post(URL, scheme_form(valid_from="2024-06-01"))  # the preview step
    assert response.status_code == 400
    assert response.context["form"].errors["valid_from"] == [
        "Ny versjon kan ikke gjelde fra før forrige versjon (01.01.2025)."]
    assert PointScheme.objects.count() == 2


def test_the_confirmation_shows_what_changes_and_which_years_are_recomputed(
        client, operator, home_org, pilot_2024):
    make_initiative(home_org, [("idea", "2023-03-01")], project=False)
    services.indicators_recompute(year=2023)
    services.indicators_freeze(actor=operator, year=2023)
    IndicatorDirty.objects.all().delete()
    client.force_login(operator)
    response = client.post(URL, scheme_form(valid_from="2023-01-01", points_pilot="4,5",
                                            weight_pilot="0,6"))
    assert response.status_code == 200
    assert response.templates[0].name == "indicators/scheme_confirm.html"
    assert [(r["label"], r["old"], r["new"]) for r in response.context["changes"]] == [
        ("Poeng: Utprøving", "4", "4,5"), ("Nyttevekt: Utprøving", "0,5", "0,6")]
    assert (response.context["recomputed"], response.context["frozen"]) == ("2024", "2023")
    html = response.content.decode()
    assert "Frosne år endres ikke: 2023." in html
    assert 'name="points_pilot" value="4,5"' in html  # carried to the confirmation
    assert PointScheme.objects.count() == 1 and not IndicatorDirty.objects.exists()

    back = client.post(URL, scheme_form(valid_from="2023-01-01", points_pilot="4,5",
                                        edit="1"))
    assert back.templates[0].name == "indicators/schemes.html"
    assert back.context["form"]["points_pilot"].value() == "4,5"
    assert PointScheme.objects.count() == 1


def test_a_confirmed_version_is_audited_and_used_by_the_next_recompute(
        client, operator, home_org, pilot_2024, django_capture_on_commit_callbacks,
        celery_eager):
    make_initiative(home_org, [("pilot", "2023-03-01")], project=False)
    services.indicators_recompute(year=2023)
    services.indicators_freeze(actor=operator, year=2023)
    IndicatorDirty.objects.all().delete()
    frozen = IndicatorSnapshot.objects.get(organisation=home_org, year=2023, quarter=0)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, scheme_form(valid_from="2023-01-01", points_pilot="4,5",
                                                confirm="1"), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    scheme = PointScheme.objects.get(version=2)
    assert scheme.phase_points["pilot"] == 4.5 and scheme.created_by == operator
    assert scheme.benefit_weights["concept"] == 0.25
    assert "Poengmodellen standard-2 er lagret. Tallene for 2024 beregnes på nytt. Frosne år " \
           "(2023) endres ikke." in response.content.decode()
    entry = LogEntry.objects.get_for_object(scheme).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == operator

    # The scheduled recompute ran (the test plays the worker, also with Redis) with the new
    # version...
    snapshot = IndicatorSnapshot.objects.get(organisation=home_org, year=2024, quarter=0)
    assert (snapshot.scheme, snapshot.points) == (scheme, 9)  # two pilots at 4,5
    assert not IndicatorDirty.objects.exists()
    # ... and the frozen year kept its numbers and its version.
    frozen_after = IndicatorSnapshot.objects.get(pk=frozen.pk)
    assert (frozen_after.scheme_id, frozen_after.points, frozen_after.computed_at) == (
        frozen.scheme_id, frozen.points, frozen.computed_at)


def test_the_recompute_is_scheduled_through_the_dirty_marks(operator, home_org, pilot_2024,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.point_scheme_create(actor=operator, **_values(valid_from="2024-07-01"))
    marks = set(IndicatorDirty.objects.values_list("organisation_id", "year", "quarter"))
    # The year and the quarters ending after 1 July; not the first two quarters.
    assert {(y, q) for _o, y, q in marks} >= {(2024, 0)}
    assert not {(2024, 1), (2024, 2)} & {(y, q) for _o, y, q in marks}
    assert {o for o, _y, _q in marks} == {home_org.pk}
    assert callbacks  # the engine's consumer is woken after the commit


def _values(**changes) -> dict:
    values = {"name": "standard", "valid_from": "2024-01-01",
              "phase_points": {p: 1 for p in ORDERED_PHASES}, "adoption_points": 4,
              "adoption_min_phase": "implementation",
              "benefit_weights": {p: 1 for p in ORDERED_PHASES}, "expected_discount": "0.5"}
    values |= changes
    import datetime

    values["valid_from"] = datetime.date.fromisoformat(values["valid_from"])
    return values
