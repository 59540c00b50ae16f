"""Writes for organisations, memberships, units and API tokens. One function per change; each
checks the actor's right, validates, writes and records an event in one transaction."""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import organisations_where, user_can
from portal.errors import ConflictError, DomainError, Forbidden
from portal.events import OrganisationEventKind as Kind
from portal.events import organisation_event_record
from portal.languages import is_supported, language_for
from portal.models import ApiToken, Membership, Organisation, Unit, User
from portal.roles import Capability, Role


def _require_admin(actor: User, organisation: Organisation) -> None:
    if not user_can(actor, organisation, Capability.MANAGE_ORGANISATION):
        raise Forbidden(_("Bare administratorer i organisasjonen kan gjøre dette."))


def _check_unit(organisation: Organisation, unit: Unit | None) -> None:
    if unit is not None and unit.organisation_id != organisation.pk:
        raise DomainError(_("Enheten hører til en annen organisasjon."), field="unit")


# --- memberships --------------------------------------------------------------------------

def member_add(*, actor: User, organisation: Organisation, email: str, role: str,
               first_name: str = "", last_name: str = "", unit: Unit | None = None,
               request=None) -> Membership:
    """Add a person by e-mail. A new person gets an account and an e-mail to choose a password.

    Only an account the actor already administers (a member of one of the actor's
    organisations) is reused. Any other address is treated as unknown, whether or not an
    account elsewhere has it: a new account with the names typed here and the welcome e-mail
    (issue 13: another organisation's account is never attached, its name never shown, and
    the answer does not tell whether the address is in use elsewhere)."""
    _require_admin(actor, organisation)
    _check_unit(organisation, unit)
    if role not in Role.values:
        raise DomainError(_("Ukjent rolle."), field="role")
    email = User.objects.normalize_email(email).strip()
    if not email:
        raise DomainError(_("E-postadresse mangler."), field="email")
    with transaction.atomic():
        administered = organisations_where(actor, Capability.MANAGE_ORGANISATION)
        user = (User.objects.filter(email__iexact=email,
                                    memberships__organisation__in=administered)
                .order_by("pk").first())
        created = user is None
        if created:
            user = User(username=_free_username(email), email=email, first_name=first_name,
                        last_name=last_name)
            user.set_unusable_password()
            user.save()
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organisation=organisation, role=role, unit=unit
                )
        except IntegrityError:
            raise DomainError(_("%(email)s er allerede medlem av %(org)s.")
                              % {"email": email, "org": organisation.name}, field="email")
        organisation_event_record(organisation=organisation, actor=actor, kind=Kind.MEMBER_ADDED,
                                  user_id=user.pk, username=user.username, role=role)
        if created:
            transaction.on_commit(lambda: _send_welcome(user, request))
    return membership


def _free_username(email: str) -> str:
    """The address in lower case, as accounts added by e-mail get; if an account elsewhere
    has it as its name, the first free `address-2`, `address-3`, …"""
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _send_welcome(user: User, request) -> None:
    form = PasswordResetForm({"email": user.email})
    if form.is_valid():
        # A new account has an unusable password, which PasswordResetForm skips; send the
        # "choose your password" mail for exactly this user.
        form.get_users = lambda e: User.objects.filter(pk=user.pk, is_active=True)
        from urllib.parse import urlsplit

        site = urlsplit(settings.SITE_URL)
        # In the new person's language, not in that of the administrator who added them.
        with translation.override(language_for(user)):
            form.save(request=request,
                      domain_override=None if request else site.netloc,
                      use_https=request.is_secure() if request else site.scheme == "https",
                      subject_template_name="registration/welcome_subject.txt",
                      email_template_name="registration/welcome_email.txt")


def password_reset_send(*, email: str, domain: str, use_https: bool, language: str) -> int:
    """Mail a password-reset link to every active account with this address and a usable
    password (Django's PasswordResetForm decides who). Runs in the worker: the lookup and the
    SMTP time are no longer part of the page's answer."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    if users:
        with translation.override(language):
            form.save(domain_override=domain, use_https=use_https)
    return len(users)


def member_change_role(*, actor: User, membership: Membership, role: str,
                       unit: Unit | None = None) -> Membership:
    organisation = membership.organisation
    _require_admin(actor, organisation)
    _check_unit(organisation, unit)
    if role not in Role.values:
        raise DomainError(_("Ukjent rolle."), field="role")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        old_role = locked.role
        if old_role == Role.ADMIN and role != Role.ADMIN:
            _require_other_admin(locked)
        locked.role = role
        locked.unit = unit
        locked.save(update_fields=["role", "unit"])
        if old_role != role:
            organisation_event_record(organisation=organisation, actor=actor,
                                      kind=Kind.ROLE_CHANGED, user_id=locked.user_id,
                                      username=locked.user.username, old=old_role, new=role)
    return locked


def member_remove(*, actor: User, membership: Membership) -> None:
    organisation = membership.organisation
    _require_admin(actor, organisation)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.ADMIN:
            _require_other_admin(locked)
        organisation_event_record(organisation=organisation, actor=actor,
                                  kind=Kind.MEMBER_REMOVED, user_id=locked.user_id,
                                  username=locked.user.username, role=locked.role)
        locked.delete()


def _require_other_admin(membership: Membership) -> None:
    # Lock the other admin rows too, so two admins demoting each other at once cannot leave
    # the organisation without any.
    others = list(Membership.objects.select_for_update()
                  .filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
                  .exclude(pk=membership.pk).values_list("pk", flat=True))
    if not others:
        raise ConflictError(_("Organisasjonen må ha minst én administrator."), field="role")


# --- units --------------------------------------------------------------------------------

def unit_create(*, actor: User, organisation: Organisation, name: str,
                parent: Unit | None = None) -> Unit:
    _require_admin(actor, organisation)
    _check_unit(organisation, parent)
    name = name.strip()
    if not name:
        raise DomainError(_("Enheten må ha et navn."), field="name")
    with transaction.atomic():
        try:
            with transaction.atomic():
                unit = Unit.objects.create(organisation=organisation, name=name, parent=parent)
        except IntegrityError:
            raise DomainError(_("Det finnes allerede en enhet med dette navnet her."),
                              field="name")
        organisation_event_record(organisation=organisation, actor=actor,
                                  kind=Kind.UNIT_CREATED, unit_id=unit.pk, name=name)
    return unit


def unit_update(*, actor: User, unit: Unit, name: str, parent: Unit | None) -> Unit:
    organisation = unit.organisation
    _require_admin(actor, organisation)
    _check_unit(organisation, parent)
    name = name.strip()
    if not name:
        raise DomainError(_("Enheten må ha et navn."), field="name")
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == unit.pk:
            raise DomainError(_("En enhet kan ikke ligge under seg selv."), field="parent")
        ancestor = ancestor.parent
    with transaction.atomic():
        old = {"name": unit.name, "parent_id": unit.parent_id}
        unit.name, unit.parent = name, parent
        try:
            with transaction.atomic():
                unit.save(update_fields=["name", "parent"])
        except IntegrityError:
            raise DomainError(_("Det finnes allerede en enhet med dette navnet her."),
                              field="name")
        organisation_event_record(organisation=organisation, actor=actor,
                                  kind=Kind.UNIT_UPDATED, unit_id=unit.pk, old=old,
                                  new={"name": name, "parent_id": unit.parent_id})
    return unit


def unit_delete(*, actor: User, unit: Unit) -> None:
    organisation = unit.organisation
    _require_admin(actor, organisation)
    if unit.children.exists():
        raise DomainError(_("Enheten har underenheter. Flytt eller slett dem først."),
                          code="has_children")
    with transaction.atomic():
        organisation_event_record(organisation=organisation, actor=actor,
                                  kind=Kind.UNIT_DELETED, unit_id=unit.pk, name=unit.name)
        unit.delete()


# --- the person's own settings -----------------------------------------------------------

def user_language_set(*, user: User, language: str) -> User:
    """The language the user reads Innoportal and its e-mails in (portal.languages)."""
    if not is_supported(language):
        raise DomainError(_("Ukjent språk."), field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


# --- API tokens ---------------------------------------------------------------------------

def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it with the clear key, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise DomainError(_("Gi nøkkelen et navn, så du kjenner den igjen."), field="name")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:ApiToken.PREFIX_LENGTH],
                                    key_hash=ApiToken.hash_key(key))
    return token, key


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise Forbidden(_("Du kan bare trekke tilbake dine egne nøkler."))
    # Locked and saved (not a queryset update, which no signal sees), so the revocation is in
    # the audit trail; a token revoked already is left as it was.
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    token.refresh_from_db()
    return token
