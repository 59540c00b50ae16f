import pytest
from django.core import mail

from portal import services
from portal.errors import ConflictError, DomainError
from portal.models import Membership, OrganisationEvent, Unit, User
from portal.roles import Role
from tests.factories import UnitFactory


def events(org, kind):
    return OrganisationEvent.objects.filter(organisation=org, kind=kind)


def test_admin_adds_a_new_person_who_gets_a_welcome_mail(home_org, org_admin,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.member_add(actor=org_admin, organisation=home_org,
                                         email="Ny.Person@Example.no", role=Role.COORDINATOR,
                                         first_name="Ny", last_name="Person")
    assert membership.role == Role.COORDINATOR
    assert not membership.user.has_usable_password()
    event = events(home_org, "member_added").get()
    assert event.actor == org_admin and event.data["role"] == "coordinator"
    assert len(mail.outbox) == 1 and "Ny.Person@example.no" in mail.outbox[0].to
    assert "/accounts/reset/" in mail.outbox[0].body


def test_adding_an_existing_member_twice_is_refused_and_writes_nothing(home_org, org_admin,
                                                                         employee):
    before = OrganisationEvent.objects.count()
    with pytest.raises(DomainError) as info:
        services.member_add(actor=org_admin, organisation=home_org, email=employee.email,
                            role=Role.MANAGER)
    assert info.value.field == "email"
    assert Membership.objects.get(user=employee).role == Role.EMPLOYEE
    assert OrganisationEvent.objects.count() == before


def test_non_admin_cannot_add_members(home_org, manager):
    with pytest.raises(DomainError):
        services.member_add(actor=manager, organisation=home_org, email="x@example.no",
                            role=Role.EMPLOYEE)
    assert not User.objects.filter(email="x@example.no").exists()
    assert not events(home_org, "member_added").exists()


def test_admin_of_another_municipality_cannot_change_roles_here(home_org, outsider, employee):
    membership = Membership.objects.get(user=employee)
    with pytest.raises(DomainError):
        services.member_change_role(actor=outsider, membership=membership, role=Role.ADMIN)
    assert Membership.objects.get(user=employee).role == Role.EMPLOYEE


def test_role_change_records_old_and_new_role(home_org, org_admin, employee):
    membership = Membership.objects.get(user=employee)
    services.member_change_role(actor=org_admin, membership=membership, role=Role.MANAGER)
    assert Membership.objects.get(user=employee).role == Role.MANAGER
    event = events(home_org, "role_changed").get()
    assert event.data == {"user_id": employee.pk, "username": "employee",
                          "old": "employee", "new": "manager"}


def test_last_admin_cannot_demote_or_remove_themself(home_org, org_admin):
    membership = Membership.objects.get(user=org_admin)
    with pytest.raises(ConflictError):
        services.member_change_role(actor=org_admin, membership=membership, role=Role.EMPLOYEE)
    with pytest.raises(ConflictError):
        services.member_remove(actor=org_admin, membership=membership)
    assert Membership.objects.get(user=org_admin).role == Role.ADMIN
    assert not events(home_org, "role_changed").exists()


def test_unit_tree_refuses_cycles_and_foreign_parents(home_org, other_org, org_admin):
    top = services.unit_create(actor=org_admin, organisation=home_org, name="Helse")
    child = services.unit_create(actor=org_admin, organisation=home_org, name="Hjemmetjenesten",
                                 parent=top)
    with pytest.raises(DomainError) as info:
        services.unit_update(actor=org_admin, unit=top, name="Helse", parent=child)
    assert info.value.field == "parent"
    foreign = UnitFactory(organisation=other_org)
    with pytest.raises(DomainError):
        services.unit_create(actor=org_admin, organisation=home_org, name="X", parent=foreign)
    with pytest.raises(DomainError):
        services.unit_create(actor=org_admin, organisation=home_org, name="Hjemmetjenesten",
                             parent=top)
    assert Unit.objects.filter(organisation=home_org).count() == 2
    assert events(home_org, "unit_created").count() == 2


def test_unit_with_children_cannot_be_deleted(home_org, org_admin):
    top = services.unit_create(actor=org_admin, organisation=home_org, name="Oppvekst")
    services.unit_create(actor=org_admin, organisation=home_org, name="Skole", parent=top)
    with pytest.raises(DomainError):
        services.unit_delete(actor=org_admin, unit=top)
    assert Unit.objects.filter(pk=top.pk).exists()
