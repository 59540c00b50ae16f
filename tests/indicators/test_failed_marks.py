"""One bad dirty mark must not stop the indicators for the whole country (issue 13): the drain
isolates each mark — a mark that fails keeps its error, is retried with a growing delay, is
shown to administrators, never raises into a request and never holds back other marks."""

import datetime
from unittest import mock

import pytest
from django.db import DataError
from django.utils import timezone

from indicators import services
from indicators.models import IndicatorSnapshot
from initiatives.models import IndicatorDirty
from portal.consumers import consumer_run
from tests.factories import OrganisationFactory, UserFactory
from tests.indicators.helpers import make_initiative


def _poison(org, year=1, quarter=0):
    """A mark the drain can never compute, as the old API wrote for a 0001-01-01 assessment."""
    return IndicatorDirty.objects.create(organisation=org, year=year, quarter=quarter,
                                         marked_at=timezone.now())


def test_a_poisoned_mark_keeps_its_error_and_does_not_block_the_others(db):
    good, bad = OrganisationFactory(), OrganisationFactory()
    make_initiative(good, [("concept", "2024-02-01")])
    poisoned = _poison(bad)
    services.indicators_drain_dirty()
    # The other organisation's periods were recomputed and their marks cleared.
    assert IndicatorSnapshot.objects.get(organisation=good, year=2024, quarter=0).points == 2
    assert list(IndicatorDirty.objects.values_list("pk", flat=True)) == [poisoned.pk]
    poisoned.refresh_from_db()
    assert poisoned.attempts == 1 and "Ugyldig år" in poisoned.last_error
    assert poisoned.failed_at is not None and poisoned.retry_at > timezone.now()
    # Not due yet: the next drain leaves it alone (no attempt, no hot loop).
    services.indicators_drain_dirty()
    poisoned.refresh_from_db()
    assert poisoned.attempts == 1
    # Due again: retried, and the delay grows.
    first_delay = poisoned.retry_at - poisoned.failed_at
    IndicatorDirty.objects.filter(pk=poisoned.pk).update(retry_at=timezone.now())
    services.indicators_drain_dirty()
    poisoned.refresh_from_db()
    assert poisoned.attempts == 2
    assert poisoned.retry_at - poisoned.failed_at > first_delay


def test_a_failing_organisation_does_not_hold_back_its_period(db):
    """A mark that fails inside a good period (here a numeric overflow on one organisation)
    is found by recomputing the period's organisations one by one."""
    good, bad = OrganisationFactory(), OrganisationFactory()
    make_initiative(good, [("concept", "2024-02-01")])
    make_initiative(bad, [("concept", "2024-02-01")])
    real = services.indicators_recompute

    def overflow_for_bad(**kwargs):
        if bad.pk in (kwargs.get("organisation_ids") or []):
            raise DataError("numeric field overflow")
        return real(**kwargs)

    with mock.patch.object(services, "indicators_recompute", side_effect=overflow_for_bad):
        services.indicators_drain_dirty()
    assert IndicatorSnapshot.objects.get(organisation=good, year=2024, quarter=0).points == 2
    assert not IndicatorSnapshot.objects.filter(organisation=bad).exists()
    assert not IndicatorDirty.objects.filter(organisation=good).exists()
    failed = IndicatorDirty.objects.filter(organisation=bad)
    assert failed.exists() and all(m.attempts == 1 and "overflow" in m.last_error
                                   for m in failed)
    # Once it computes again, the mark is cleared, error and all.
    failed.update(retry_at=timezone.now())
    services.indicators_drain_dirty()
    assert not IndicatorDirty.objects.exists()
    assert IndicatorSnapshot.objects.get(organisation=bad, year=2024, quarter=0).points == 2


def test_requests_answer_what_was_committed_while_a_mark_is_poisoned(
        api_client, home_org, other_org, manager, django_capture_on_commit_callbacks,
        celery_eager):
    """The old defect: with a poisoned mark anywhere, every phase change, assessment and
    measurement everywhere was committed and yet answered 400 «Ugyldig år» or 500. Eager
    Celery (the zero-setup path, also in the Redis run): the drain runs right after the
    commit, inside the request."""
    from initiatives.models import BenefitAssessment
    from tests.gevinst.conftest import make_project

    project = make_project(home_org)
    poisoned = _poison(other_org)
    api_client.force_authenticate(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/projects/{project.pk}/assessments/",
                                   {"dimension": "user", "kind": "expected", "score": 2,
                                    "assessed_on": "2024-06-01"}, format="json")
    assert response.status_code == 201, response.content
    assert BenefitAssessment.objects.filter(initiative=project.initiative).count() == 1
    # The drain ran after the commit: the home organisation recomputed, the poison recorded.
    assert IndicatorSnapshot.objects.filter(organisation=home_org, year=2024).exists()
    assert not IndicatorDirty.objects.filter(organisation=home_org).exists()
    poisoned.refresh_from_db()
    assert poisoned.attempts == 1


def test_a_drain_that_raises_is_logged_not_raised(db):
    with mock.patch.object(services, "indicators_drain_dirty",
                           side_effect=RuntimeError("boom")), \
            mock.patch("portal.consumers._registry", {}) as registry:
        from portal.consumers import consumer_register

        consumer_register("indicators.recompute", topic="t",
                          drain=services.indicators_drain_dirty)
        result = consumer_run("indicators.recompute")
    assert result.failed == 1
    assert registry  # the test used its own registry


def test_failed_marks_are_shown_in_the_full_health_check_and_the_admin(db, client):
    from ops.health import FAIL, check_indicator_marks

    org = OrganisationFactory()
    _poison(org)
    services.indicators_drain_dirty()
    check = check_indicator_marks(timezone.now())
    assert check.status == FAIL and check.values["failed_marks"] == 1
    assert "Ugyldig år" in check.detail
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get("/django-admin/initiatives/indicatordirty/?failed=yes")
    assert page.status_code == 200 and "Ugyldig år" in page.content.decode()
    mark = IndicatorDirty.objects.get()
    response = client.post("/django-admin/initiatives/indicatordirty/",
                           {"action": "retry_now", "_selected_action": [mark.pk]})
    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.retry_at is None and mark.attempts == 1


@pytest.mark.parametrize("attempts,seconds", [(1, 60), (2, 120), (5, 960), (20, 3600)])
def test_the_retry_delay_grows_to_an_hour(attempts, seconds):
    assert services._mark_retry_delay(attempts) == datetime.timedelta(seconds=seconds)
