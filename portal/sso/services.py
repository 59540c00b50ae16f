"""Writes for single sign-on: the first login creates or links the account, later logins find
it by issuer and subject; an organisation's administrator turns password login on or off."""

from __future__ import annotations

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import user_can
from portal.errors import ConflictError, DomainError, Forbidden
from portal.events import OrganisationEventKind as Kind
from portal.events import organisation_event_record
from portal.models import Membership, Organisation, User
from portal.roles import Capability, Role
from portal.sso.claims import Identity
from portal.sso.config import ProviderConfig
from portal.sso.models import ExternalIdentity
from portal.sso.selectors import organisation_providers

logger = logging.getLogger(__name__)


def sso_login(*, provider: ProviderConfig, identity: Identity) -> User:
    """The user this identity logs in as; created or linked on the first login.

    - Known identity (issuer + subject): that user; names and e-mail follow the directory.
    - New identity with an e-mail the provider asserts is verified: linked to the one existing
      account with that address, if it has no single sign-on identity yet and no access to
      the Django admin (an invited member, a password user). An account created by another
      provider is never taken over through its e-mail, nor a staff account.
    - Otherwise a new account (unusable password) — unless another account already has the
      address, which is refused rather than split into two accounts for one person.
    A new identity gets a membership in the provider's organisation with the role employee
    (auto_membership), once: an administrator who later removes it is not overruled.
    """
    organisation = Organisation.objects.filter(org_number=provider.organisation).first()
    if organisation is None:
        raise DomainError(_("Organisasjonen til denne innloggingen finnes ikke i Innoportal."),
                          code="sso_organisation_missing")
    try:
        return _login(provider, identity, organisation)
    except IntegrityError:
        # Two first logins of the same person at once: the other one created the identity.
        return _login(provider, identity, organisation)


def _login(provider: ProviderConfig, identity: Identity, organisation: Organisation) -> User:
    with transaction.atomic():
        external = (ExternalIdentity.objects.select_for_update().select_related("user")
                    .filter(issuer=identity.issuer, subject=identity.subject).first())
        if external is not None:
            user = external.user
            _require_active(user)
            _refresh_profile(user, identity)
            external.last_login_at = timezone.now()
            external.save(update_fields=["last_login_at"])
            return user
        user, linked_by = _link_or_create(identity)
        _require_active(user)
        ExternalIdentity.objects.create(user=user, issuer=identity.issuer,
                                        subject=identity.subject, provider_slug=provider.slug,
                                        last_login_at=timezone.now())
        organisation_event_record(organisation=organisation, actor=user,
                                  kind=Kind.SSO_IDENTITY_LINKED, user_id=user.pk,
                                  username=user.username, provider=provider.slug,
                                  linked_by=linked_by)
        if provider.auto_membership:
            membership, created = Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": Role.EMPLOYEE})
            if created:
                organisation_event_record(organisation=organisation, actor=user,
                                          kind=Kind.MEMBER_ADDED, user_id=user.pk,
                                          username=user.username, role=membership.role,
                                          via="sso", provider=provider.slug)
        return user


def _require_active(user: User) -> None:
    if not user.is_active:
        raise Forbidden(_("Kontoen din i Innoportal er deaktivert. Kontakt en administrator."),
                        code="account_inactive")


def _refresh_profile(user: User, identity: Identity) -> None:
    changed = []
    for field, value in (("first_name", identity.first_name), ("last_name", identity.last_name),
                         ("email", identity.email)):
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)


def _link_or_create(identity: Identity) -> tuple[User, str]:
    same_email = (list(User.objects.select_for_update().filter(email__iexact=identity.email)
                       .prefetch_related("external_identities"))
                  if identity.email else [])
    if identity.email_verified:
        linkable = [u for u in same_email if not u.external_identities.all()
                    and not u.is_staff and not u.is_superuser]
        if len(linkable) == 1 and len(same_email) == 1:
            user = linkable[0]
            _refresh_profile(user, identity)
            return user, "email"
    if same_email:
        logger.warning("Single sign-on refused: %s other account(s) have the e-mail of a new "
                       "identity at %s (verified: %s)", len(same_email), identity.issuer,
                       identity.email_verified)
        raise ConflictError(
            _("Det finnes allerede en konto i Innoportal med e-postadressen %(email)s, og den "
              "kan ikke kobles automatisk til denne innloggingen. Be en administrator om å "
              "koble kontoen.") % {"email": identity.email},
            code="sso_email_conflict")
    user = User(username=_free_username(identity), email=identity.email,
                first_name=identity.first_name, last_name=identity.last_name)
    user.set_unusable_password()
    user.save()
    return user, "created"


def _free_username(identity: Identity) -> str:
    """The e-mail address in lower case, as accounts added by e-mail get (portal.services);
    without one, or if it is taken, a name derived from issuer and subject."""
    if identity.email and not User.objects.filter(username__iexact=identity.email).exists():
        return identity.email.lower()[:150]
    digest = hashlib.sha256(f"{identity.issuer} {identity.subject}".encode()).hexdigest()
    return f"sso-{digest[:20]}"


def organisation_set_password_login(*, actor: User, organisation: Organisation,
                                    allowed: bool) -> Organisation:
    """Turn password login on or off for the organisation's members. Off only while the
    organisation has a usable identity provider: otherwise nobody could log in."""
    if not user_can(actor, organisation, Capability.MANAGE_ORGANISATION):
        raise Forbidden(_("Bare administratorer i organisasjonen kan gjøre dette."))
    if not allowed and not any(p.client_secret()
                               for p in organisation_providers(organisation.org_number)):
        raise DomainError(_("Organisasjonen har ingen innlogging med kommunens konto som kan "
                            "brukes. Innlogging med passord kan ikke slås av før den er satt "
                            "opp."), field="password_login_allowed", code="no_provider")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.password_login_allowed == allowed:
            return locked
        locked.password_login_allowed = allowed
        locked.save(update_fields=["password_login_allowed"])
        organisation_event_record(organisation=locked, actor=actor,
                                  kind=Kind.PASSWORD_LOGIN_CHANGED, allowed=allowed)
    return locked
