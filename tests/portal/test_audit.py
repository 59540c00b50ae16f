"""The audit trail (portal.audit, django-auditlog): what is recorded and by whom, that the logs
are read-only in the Django admin, the security event of every refused write, and the
organisation administrator's audit page with its export."""

import csv
import datetime
import io

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import services
from portal.models import (
    ApiToken,
    EventBase,
    Membership,
    Organisation,
    OrganisationEvent,
    SecurityEvent,
    SecurityEventKind,
    Unit,
)
from portal.roles import Role
from tests.factories import MembershipFactory, UnitFactory, UserFactory


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "id")


@pytest.fixture
def operator(db):
    return UserFactory(username="drift", is_staff=True, is_superuser=True)


def _superuser_request(operator):
    request = RequestFactory().get("/django-admin/")
    request.user = operator
    return request


# --- what the admin may change is audited; logs are read-only ---------------------------------

def _admins():
    """Every ModelAdmin of the site with the inlines of each."""
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline in model_admin.inlines:
            yield inline.model, inline(model, admin.site)


def test_every_model_the_admin_may_change_is_audited(operator):
    """A model the Django admin lets anybody add, change or delete keeps an audit trail; one
    that it does not audit must be read-only there (a new admin is covered automatically)."""
    request = _superuser_request(operator)
    unaudited = sorted(
        model._meta.label for model, model_admin in _admins()
        if not auditlog.contains(model) and (
            model_admin.has_add_permission(request, *([None] if hasattr(
                model_admin, "fk_name") else []))
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)))
    assert unaudited == [], ("The admin may change these models, which keep no audit trail: "
                             "add them to AUDITLOG_INCLUDE_TRACKING_MODELS or make their admin "
                             "read-only (portal.admin.ReadOnlyAdmin)")


def _log_models():
    return [model for model in admin.site._registry
            if issubclass(model, EventBase) or model in (SecurityEvent, LogEntry)]


def test_the_logs_are_read_only_in_the_admin_also_for_superusers(operator):
    request = _superuser_request(operator)
    models = _log_models()
    assert {LogEntry, SecurityEvent, OrganisationEvent} <= set(models)
    writable = [model._meta.label for model in models
                if admin.site._registry[model].has_add_permission(request)
                or admin.site._registry[model].has_change_permission(request)
                or admin.site._registry[model].has_delete_permission(request)]
    assert writable == []


def test_a_superuser_cannot_delete_an_event_or_an_audit_entry_in_the_admin(
        client, operator, home_org, org_admin):
    services.unit_create(actor=org_admin, organisation=home_org, name="Hjemmetjenesten")
    event = OrganisationEvent.objects.get()
    entry = LogEntry.objects.filter(content_type__model="unit").get()
    client.force_login(operator)
    for url in (f"/django-admin/portal/organisationevent/{event.pk}/delete/",
                f"/django-admin/auditlog/logentry/{entry.pk}/delete/"):
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert OrganisationEvent.objects.filter(pk=event.pk).exists()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    # Deleting the organisation would take its events with it: refused too.
    response = client.post(f"/django-admin/portal/organisation/{home_org.pk}/delete/",
                           {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Organisation.objects.filter(pk=home_org.pk).exists()


def test_a_change_in_the_django_admin_is_in_the_trail_with_its_actor(client, operator,
                                                                     home_org):
    client.force_login(operator)
    url = f"/django-admin/portal/organisation/{home_org.pk}/change/"
    response = client.post(url, {
        "name": "Ny kommune", "org_number": home_org.org_number, "kind": home_org.kind,
        "county": "", "population": "12000", "password_login_allowed": "on",
        "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0", "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000", "attribute_history-TOTAL_FORMS": "0",
        "attribute_history-INITIAL_FORMS": "0", "attribute_history-MIN_NUM_FORMS": "0",
        "attribute_history-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries_for(home_org).last()
    assert entry.action == LogEntry.Action.UPDATE and entry.actor == operator
    assert entry.changes_dict["name"][1] == "Ny kommune"
    assert entry.additional_data == {"organisation": home_org.pk}


# --- what the services change ---------------------------------------------------------------

def test_role_and_membership_changes_name_the_actor(client, home_org, org_admin):
    client.force_login(org_admin)
    client.post(reverse("org-members", args=[home_org.org_number]), {
        "email": "siv@example.no", "first_name": "Siv", "last_name": "Lie", "role": "employee"})
    membership = Membership.objects.get(user__email="siv@example.no")
    client.post(reverse("org-member-role", args=[home_org.org_number, membership.pk]),
                {f"m{membership.pk}-role": "coordinator", f"m{membership.pk}-unit": ""})
    client.post(reverse("org-member-remove", args=[home_org.org_number, membership.pk]))
    actions = [(e.action, e.actor, e.changes_dict.get("role")) for e in entries_for(membership)]
    assert actions == [
        (LogEntry.Action.CREATE, org_admin, [None, "employee"]),
        (LogEntry.Action.UPDATE, org_admin, ["employee", "coordinator"]),
        (LogEntry.Action.DELETE, org_admin, ["coordinator", None]),
    ]
    # The domain events stay beside the trail.
    assert list(OrganisationEvent.objects.order_by("id").values_list("kind", flat=True)) == [
        "member_added", "role_changed", "member_removed"]


def test_api_tokens_are_in_the_trail_without_their_key(employee):
    token, key = services.api_token_create(user=employee, name="Rapport")
    services.api_token_revoke(user=employee, token=token)
    entries = list(entries_for(token))
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert "revoked_at" in entries[1].changes_dict
    stored = str([(e.changes, e.serialized_data) for e in entries])
    assert key not in stored and token.key_hash not in stored and "key_hash" not in stored


def test_an_api_write_with_a_token_names_the_token_owner(token_client, coordinator, home_org):
    response = token_client(coordinator).post("/api/v1/ideas/", {
        "title": "Medisindispenser", "need": "Feil medisinering hjemme"}, format="json")
    assert response.status_code == 201, response.json()
    entry = LogEntry.objects.filter(content_type__model="idea").get()
    assert entry.actor == coordinator


def test_point_schemes_and_frozen_years_are_in_the_trail(client, operator):
    from indicators import services as indicator_services
    from indicators.models import IndicatorPeriod, PeriodStatus, PointScheme

    scheme = indicator_services.point_scheme_create(
        actor=operator, name="standard", valid_from=datetime.date(2024, 1, 1),
        phase_points={"idea": 1}, adoption_points=2, adoption_min_phase="implementation",
        benefit_weights={"idea": 0.1}, expected_discount="0.5")
    assert entries_for(scheme).get().action == LogEntry.Action.CREATE
    period = IndicatorPeriod.objects.create(year=2023, quarter=0)
    period.status, period.frozen_at, period.frozen_by = (PeriodStatus.FINAL, timezone.now(),
                                                         operator)
    period.save(update_fields=["status", "frozen_at", "frozen_by"])
    assert entries_for(period).last().changes_dict["status"] == ["preliminary", "final"]
    assert PointScheme.objects.filter(pk=scheme.pk).exists()


# --- security events for refused writes -------------------------------------------------------

def test_a_refused_write_on_a_page_is_a_security_event(client, home_org, employee):
    client.force_login(employee)
    response = client.post(reverse("org-members", args=[home_org.org_number]),
                           {"email": "x@example.no", "role": "admin"})
    assert response.status_code == 403
    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.data) == (
        SecurityEventKind.WRITE_REFUSED, employee, {"method": "POST", "view": "org-members"})
    assert event.path == reverse("org-members", args=[home_org.org_number])


def test_a_refused_api_write_is_a_security_event(token_client, employee, coordinator,
                                                  home_org):
    from tests.ideas.factories import make_idea

    idea = make_idea(coordinator, home_org, status="submitted")
    response = token_client(employee).patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Min"},
                                            format="json")
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=SecurityEventKind.WRITE_REFUSED)
    assert event.user == employee and event.data == {"method": "PATCH",
                                                     "view": "idea-detail"}


def test_reads_and_allowed_writes_are_no_security_events(client, home_org, employee,
                                                         org_admin):
    client.force_login(employee)
    assert client.get(reverse("org-members", args=[home_org.org_number])).status_code == 403
    client.force_login(org_admin)
    client.post(reverse("org-units", args=[home_org.org_number]), {"name": "Sykehjem"})
    assert not SecurityEvent.objects.exists()


# --- the administrator's audit page -----------------------------------------------------------

def audit_url(org, **query):
    url = reverse("org-audit", args=[org.org_number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def trail(home_org, other_org, org_admin, outsider, employee):
    """Changes in both organisations, an event and a security event in each."""
    services.unit_create(actor=org_admin, organisation=home_org, name="Hjemmetjenesten")
    services.unit_create(actor=outsider, organisation=other_org, name="Naboenheten")
    services.api_token_create(user=employee, name="Min første nøkkel")
    services.api_token_create(user=outsider, name="Nabonøkkel")
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, user=employee,
                                 address="10.0.0.1")
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, user=outsider,
                                 address="10.9.9.9")


@pytest.mark.parametrize("persona, expected", [
    ("employee", 403), ("manager", 403), ("admin", 200), ("outsider", 404)])
def test_only_the_organisations_admin_reads_its_audit_page(client, personas, home_org,
                                                           persona, expected):
    client.force_login(personas[persona])
    assert client.get(audit_url(home_org)).status_code == expected


def test_the_audit_page_shows_only_the_organisations_rows(client, trail, home_org, org_admin):
    client.force_login(org_admin)
    page = client.get(audit_url(home_org)).content.decode()
    assert "Hjemmetjenesten" in page and "Min første nøkkel" in page
    assert "Naboenheten" not in page and "Nabonøkkel" not in page
    events = client.get(audit_url(home_org, kind="events")).content.decode()
    assert "Hjemmetjenesten" in events and "Naboenheten" not in events
    security = client.get(audit_url(home_org, kind="security")).content.decode()
    assert "10.0.0.1" in security and "10.9.9.9" not in security


def test_the_audit_page_filters_by_person_and_date(client, trail, home_org, org_admin,
                                                   employee):
    client.force_login(employee)
    client.post(reverse("api-tokens"), {"name": "Min nøkkel"})
    client.force_login(org_admin)
    mine = client.get(audit_url(home_org, user=employee.pk)).content.decode()
    assert "Min nøkkel" in mine and "Hjemmetjenesten" not in mine
    today = timezone.localdate()
    later = (today + datetime.timedelta(days=1)).isoformat()
    assert "Hjemmetjenesten" not in client.get(
        audit_url(home_org, since=later)).content.decode()
    assert "Hjemmetjenesten" in client.get(
        audit_url(home_org, since=today.isoformat(), until=today.isoformat())).content.decode()


@pytest.mark.parametrize("query", [{"since": "2024-13-40"}, {"kind": "everything"},
                                   {"since": "2024-05-02", "until": "2024-05-01"},
                                   {"user": "999999"}])
def test_bad_filters_are_a_400_with_the_field_named(client, home_org, org_admin, query):
    client.force_login(org_admin)
    response = client.get(audit_url(home_org, **query))
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    export = client.get(reverse("org-audit-export", args=[home_org.org_number]),
                        {**query, "format": "csv"})
    assert export.status_code == 400 and export["Content-Type"].startswith("text/html")


def test_a_person_from_another_organisation_is_not_a_filter_choice(client, home_org, org_admin,
                                                                   outsider):
    client.force_login(org_admin)
    assert client.get(audit_url(home_org, user=outsider.pk)).status_code == 400


def test_the_audit_page_is_paginated(client, home_org, org_admin):
    for n in range(55):
        UnitFactory(organisation=home_org, name=f"Enhet {n:02d}")
    client.force_login(org_admin)
    first = client.get(audit_url(home_org)).content.decode()
    assert "Side 1 av 2" in first and "Enhet 54" in first and "Enhet 00" not in first
    second = client.get(audit_url(home_org, page=2)).content.decode()
    assert "Enhet 00" in second


def test_the_export_has_the_filtered_rows_with_formulas_neutralised(client, home_org,
                                                                    org_admin):
    org_admin.first_name, org_admin.last_name = "=SUM(1)", ""
    org_admin.save()
    client.force_login(org_admin)
    client.post(reverse("org-units", args=[home_org.org_number]), {"name": "Sykehjem"})
    url = reverse("org-audit-export", args=[home_org.org_number])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Tidspunkt", "Person", "Handling", "Gjelder", "Detaljer"]
    assert rows[1][1:4] == ["'=SUM(1) (org_admin)", "Opprettet", "Enhet: Sykehjem"]
    assert all(not cell.startswith("=") for row in rows for cell in row)
    response = client.get(url, {"format": "xlsx", "kind": "events"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Tidspunkt", "Person", "Handling"]
    assert values[1][1:3] == ["=SUM(1) (org_admin)", "Enhet opprettet"]
    assert sheet.cell(2, 2).data_type == "s"


def test_the_export_is_the_admins_only(client, home_org, employee, outsider):
    url = reverse("org-audit-export", args=[home_org.org_number])
    client.force_login(employee)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_changes_to_a_members_account_are_the_organisations(client, home_org, org_admin,
                                                            other_org):
    stranger = UserFactory(username="fremmed", first_name="Fremmed")
    MembershipFactory(user=stranger, organisation=other_org, role=Role.EMPLOYEE)
    member = MembershipFactory(user=UserFactory(username="kollega"), organisation=home_org,
                               role=Role.EMPLOYEE).user
    member.first_name = "Kari"
    member.save()
    stranger.first_name = "Fremmed2"
    stranger.save()
    client.force_login(org_admin)
    page = client.get(audit_url(home_org)).content.decode()
    assert "Kari" in page and "Fremmed2" not in page
    assert Unit.objects.count() == 0 and ApiToken.objects.count() == 0


def test_the_entry_has_the_client_address_as_the_security_log_reads_it(client, home_org,
                                                                        org_admin):
    client.force_login(org_admin)
    client.post(reverse("org-units", args=[home_org.org_number]), {"name": "Sykehjem"},
                HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.1.2.3")
    entry = LogEntry.objects.filter(content_type__model="unit").get()
    assert entry.remote_addr == "10.1.2.3" and entry.actor == org_admin


def test_the_admin_dates_a_changed_population_and_takes_past_values(client, operator,
                                                                     home_org):
    """docs/domain.md "Organisations and people": saving the organisation dates a change of its
    county or population today; a past value is entered in the inline, and one for today
    takes the place of the row the save just dated."""
    from portal.models import OrganisationAttributes

    client.force_login(operator)
    today = timezone.localdate()
    response = client.post(f"/django-admin/portal/organisation/{home_org.pk}/change/", {
        "name": home_org.name, "org_number": home_org.org_number, "kind": home_org.kind,
        "county": "Innlandet", "population": "12500", "password_login_allowed": "on",
        "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0", "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000", "attribute_history-TOTAL_FORMS": "2",
        "attribute_history-INITIAL_FORMS": "0", "attribute_history-MIN_NUM_FORMS": "0",
        "attribute_history-MAX_NUM_FORMS": "1000",
        "attribute_history-0-valid_from": "2023-01-01",
        "attribute_history-0-county": "Innlandet", "attribute_history-0-population": "11800",
        "attribute_history-1-valid_from": today.isoformat(),
        "attribute_history-1-county": "Innlandet", "attribute_history-1-population": "12500"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = list(OrganisationAttributes.objects.filter(organisation=home_org)
                .values_list("valid_from", "population"))
    assert rows[-2:] == [(datetime.date(2023, 1, 1), 11800), (today, 12500)]
    assert LogEntry.objects.get_for_objects(OrganisationAttributes.objects.filter(
        organisation=home_org)).exists()
