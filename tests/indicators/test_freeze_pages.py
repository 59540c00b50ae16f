"""Issue 16, «No dead ends» on /indicators/: «Beregn på nytt» is not offered on a frozen
year (and a refused recompute says why in the status box, never a page inside the page);
«Frys året» for the portal's administrators, confirmed first, records who froze the year."""

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorPeriod, IndicatorSnapshot, PeriodStatus
from tests.factories import UserFactory
from tests.indicators.helpers import make_initiative

HOME = reverse("indicators:home")
FREEZE = reverse("indicators:freeze")
RECOMPUTE_BUTTON = "Beregn på nytt"


@pytest.fixture
def computed(home_org):
    make_initiative(home_org, [("pilot", "2024-05-01")], title="Digitalt tilsyn på natt")
    services.indicators_recompute(year=2024)


@pytest.fixture
def operator(home_org):
    from portal.models import Membership
    from portal.roles import Role

    user = UserFactory(username="operator", first_name="Ola", last_name="Drift",
                       is_superuser=True, is_staff=True)
    Membership.objects.create(user=user, organisation=home_org, role=Role.ADMIN)
    return user


def test_an_open_year_offers_recompute_and_the_operator_the_freeze(client, operator,
                                                                   computed):
    client.force_login(operator)
    html = client.get(HOME, {"year": 2024}).content.decode()
    assert RECOMPUTE_BUTTON in html
    assert f'href="{FREEZE}?year=2024"' in html


def test_an_organisation_admin_is_not_offered_the_freeze(client, org_admin, computed):
    client.force_login(org_admin)
    html = client.get(HOME, {"year": 2024}).content.decode()
    assert RECOMPUTE_BUTTON in html and FREEZE not in html


def test_freezing_asks_first_then_records_who_froze_the_year(client, operator, computed):
    client.force_login(operator)
    confirm = client.get(FREEZE, {"year": 2024})
    assert confirm.status_code == 200
    assert "Frys tallene for 2024?" in confirm.content.decode()
    assert not IndicatorPeriod.objects.filter(status=PeriodStatus.FINAL).exists()  # asked only

    response = client.post(FREEZE, {"year": 2024})
    assert response.status_code == 302
    period = IndicatorPeriod.objects.get(year=2024, quarter=0)
    assert (period.status, period.frozen_by) == (PeriodStatus.FINAL, operator)
    assert period.frozen_at is not None
    assert set(IndicatorSnapshot.objects.filter(year=2024).values_list("status", flat=True)) == {
        PeriodStatus.FINAL}


def test_a_frozen_year_offers_no_recompute_and_says_who_froze_it(client, operator, org_admin,
                                                                  computed):
    services.indicators_freeze(actor=operator, year=2024)
    client.force_login(org_admin)
    html = client.get(HOME, {"year": 2024}).content.decode()
    assert RECOMPUTE_BUTTON not in html and FREEZE not in html
    assert "av Ola Drift" in html


def test_a_refused_recompute_answers_htmx_with_a_message_not_a_page(client, operator, org_admin,
                                                                    home_org, computed):
    services.indicators_freeze(actor=operator, year=2024)
    client.force_login(org_admin)
    url = reverse("indicators:recompute", args=[home_org.org_number])
    response = client.post(url, {"year": 2024}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<header" not in html
    assert "frosset" in html
    response = client.post(url, {}, headers={"HX-Request": "true"})  # no year: no nested page
    assert "<html" not in response.content.decode()


@pytest.mark.parametrize("persona", ["employee", "manager", "admin"])
def test_only_the_portals_administrators_may_freeze(client, personas, computed, persona):
    client.force_login(personas[persona])
    assert client.get(FREEZE, {"year": 2024}).status_code == 403
    assert client.post(FREEZE, {"year": 2024}).status_code == 403
    assert not IndicatorPeriod.objects.filter(status=PeriodStatus.FINAL).exists()
