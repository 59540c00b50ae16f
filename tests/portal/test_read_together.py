"""portal.prefetch.read_together: querysets of every shape the project page uses (joins of
select_related, annotations and subqueries, values(), values_list(), slices), evaluated in one
statement on PostgreSQL, give the objects their own queries give: the same rows in the same
order, the same values of the same types (Decimal, date, time, aware datetime in the same
zone, JSON with floats and nesting, booleans, UUIDs, floats); afterwards reading them sends no
query. Elsewhere they are read as usual, when used."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Subquery,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast, TruncTime
from django.test.utils import CaptureQueriesContext

from gevinst import services as benefit_services
from gevinst.models import Benefit, Measurement
from portal.prefetch import read_together
from projects.events import ProjectEventKind
from projects.models import ProjectEvent
from tests.gevinst.conftest import benefit_fields, make_project

POSTGRES = connection.vendor == "postgresql"
TOKEN = uuid.UUID("12345678-1234-5678-1234-567812345678")


def _plain(value):
    """A value with its type, and for datetimes their zone, so equal means the same object
    as far as a reader can tell."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return (datetime.datetime, value, value.tzinfo)
    if hasattr(value, "_meta"):
        return (type(value), {f.attname: _plain(getattr(value, f.attname))
                              for f in value._meta.concrete_fields}, _plain(
            {k: v for k, v in vars(value).items() if k in _ANNOTATIONS}))
    return (type(value), value)


_ANNOTATIONS = {"n_measurements", "has_latest", "latest_on", "latest_at", "ratio", "token",
                "at_time"}


@pytest.fixture
def project(home_org, manager):
    return make_project(home_org, leader=manager)


@pytest.fixture
def benefits(project, manager):
    """Two benefits with two measurements each (the latest one differs), and project events
    whose JSON holds floats, nesting, a NUL-free unicode text and a null."""
    out = []
    for n, (title, target) in enumerate((("Færre tilsyn", "25.50"), ("Mindre «kjøring»", "3"))):
        benefit = benefit_services.benefit_create(
            actor=manager, project=project, owner=manager if n == 0 else None,
            **benefit_fields(title=title, target_value=target))
        for on, value in (("2024-03-01", "35.25"), ("2024-09-01", str(30 - n))):
            benefit_services.measurement_create(actor=manager, benefit=benefit,
                                                measured_on=on, value=value)
        out.append(benefit)
    for data in ({"share": 0.1, "nested": {"list": [1, 2.5, "tre"], "none": None}},
                 {"text": "Nattilsyn <æøå> \"sitert\"", "big": 12345678901234567890}):
        ProjectEvent.objects.create(project=project, actor=manager if "share" in data else None,
                                    kind=ProjectEventKind.ITEM_ADDED, data=data)
    return out


def _querysets(project):
    latest = Measurement.objects.filter(benefit=OuterRef("pk"), valid_until__isnull=True)
    return [
        project.benefits.select_related("owner", "project__initiative").annotate(
            n_measurements=Count("measurements"),
            has_latest=Exists(latest),
            latest_on=Subquery(latest.values("measured_on")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
            ratio=Cast("target_value", FloatField()) / 7,
            token=Value(TOKEN, output_field=UUIDField()),
            at_time=TruncTime("created_at"),
        ).order_by("-title"),
        Measurement.objects.filter(benefit__project=project).select_related("benefit__owner"),
        ProjectEvent.objects.filter(project=project).select_related("actor")
        .order_by("-id")[:1],
        ProjectEvent.objects.filter(project=project).select_related("actor").order_by("id"),
        Measurement.objects.filter(benefit__project=project).values(
            "benefit__title", "value", "measured_on", "created_at").order_by("-value"),
        Benefit.objects.filter(project=project).values_list("pk", "baseline_on", "owner_id"),
        Benefit.objects.filter(project=project).values_list("title", flat=True),
        Benefit.objects.filter(pk__in=[]),
        Benefit.objects.filter(project=project, title="ingen slik"),
    ]


def test_the_rows_are_the_orms(project, benefits):
    expected = [_plain(list(qs)) for qs in _querysets(project)]
    assert expected[0][0][1]["title"] == (str, "Mindre «kjøring»")  # ordered by -title
    assert len(expected[1]) == 4 and expected[-2:] == [[], []]
    querysets = _querysets(project)
    with CaptureQueriesContext(connection) as captured:
        read_together(querysets)
    assert len(captured) == (1 if POSTGRES else 0)
    with CaptureQueriesContext(connection) as after:
        got = [_plain(list(qs)) for qs in querysets]
        owners = [m.benefit.owner for m in querysets[1]]
        actors = [e.actor for e in querysets[3]]
    assert got == expected
    assert len(after) == (0 if POSTGRES else len(querysets) - 1), [q["sql"] for q in after]
    assert owners.count(None) == 2 and {o.username for o in owners if o} == {
        benefits[0].owner.username}
    assert actors[1] is None and actors[0].pk == benefits[0].owner_id


def test_the_values_keep_their_types(project, benefits):
    benefit, events, values = (_querysets(project)[i] for i in (0, 3, 4))
    read_together([benefit, events, values])
    with CaptureQueriesContext(connection) as after:
        first = benefit[1]
        assert first.target_value == Decimal("25.50") and str(first.target_value) == "25.50"
        assert first.baseline_on == datetime.date(2024, 1, 15)
        assert first.latest_on == datetime.date(2024, 9, 1)
        assert first.latest_at.tzinfo is not None and first.latest_at.utcoffset() == \
            datetime.timedelta(0)
        assert first.has_latest is True and first.n_measurements == 2
        assert isinstance(first.ratio, float) and first.ratio == pytest.approx(25.5 / 7)
        assert first.token == TOKEN and isinstance(first.at_time, datetime.time)
        assert events[0].data == {"share": 0.1, "nested": {"list": [1, 2.5, "tre"],
                                                           "none": None}}
        assert type(events[0].data["share"]) is float
        assert events[1].data["big"] == 12345678901234567890
        assert events[1].data["text"] == "Nattilsyn <æøå> \"sitert\""
        assert [row["value"] for row in values] == sorted(
            (row["value"] for row in values), reverse=True)
    assert not POSTGRES or len(after) == 0


def test_a_column_it_cannot_read_as_text_is_read_as_usual(project, benefits):
    """An interval (DurationField) is not among the text forms: that queryset stays out of
    the statement and is read, right, when used; the others are still read together."""
    odd = Benefit.objects.filter(project=project).annotate(
        span=ExpressionWrapper(F("updated_at") - F("created_at"),
                               output_field=DurationField())).order_by("pk")
    plain = Benefit.objects.filter(project=project).order_by("pk")
    with CaptureQueriesContext(connection) as captured:
        read_together([odd, plain])
    assert len(captured) == (1 if POSTGRES else 0)
    assert odd._result_cache is None
    with CaptureQueriesContext(connection) as after:
        assert all(isinstance(b.span, datetime.timedelta) for b in odd)
        assert [b.pk for b in plain] == [b.pk for b in benefits]
    assert len(after) == (1 if POSTGRES else 2)


def test_prefetches_of_a_queryset_still_run(project, benefits):
    """A queryset's own prefetch_related lookups run after its rows arrive (a query each),
    as after its own query."""
    queryset = Benefit.objects.filter(project=project).prefetch_related("measurements")
    with CaptureQueriesContext(connection) as captured:
        read_together([queryset])
    assert len(captured) == (2 if POSTGRES else 0)
    with CaptureQueriesContext(connection) as after:
        assert [len(b.measurements.all()) for b in queryset] == [2, 2]
    assert len(after) == (0 if POSTGRES else 2)


def test_a_queryset_read_already_is_left_alone(project, benefits):
    queryset = Benefit.objects.filter(project=project)
    rows = list(queryset)
    with CaptureQueriesContext(connection) as captured:
        read_together([queryset, Benefit.objects.filter(pk__in=[])])
    assert len(captured) == 0 and queryset._result_cache == rows
