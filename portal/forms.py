from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import login_throttle
from portal.models import Unit
from portal.roles import Role
from portal.sso.selectors import password_login_allowed


class UnitChoiceMixin:
    def limit_units(self, organisation):
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation)


class MemberAddForm(UnitChoiceMixin, forms.Form):
    email = forms.EmailField(label=_("E-postadresse"))
    first_name = forms.CharField(label=_("Fornavn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Etternavn"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.EMPLOYEE)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_units(organisation)


class MemberRoleForm(UnitChoiceMixin, forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_units(organisation)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Overordnet enhet"), queryset=Unit.objects.none(),
                                    required=False, empty_label=_("(øverste nivå)"))

    def __init__(self, *args, organisation, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(organisation=organisation)
        if exclude is not None:
            units = units.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = units


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Navn på nøkkelen"), max_length=100,
                           help_text=_("For eksempel «Statistikkjobb» eller «Power BI»."))


class ThrottledLoginMixin:
    """The login rule of portal.login_throttle: a user name locked (at this address, or
    everywhere) is refused before the password is even checked; a failure is counted and
    logged as a security event; an address over its limit has its invalid attempts refused
    too, but never valid credentials. A refusal leaves the Lockout on the request, where the
    view (`login_throttle.mark_response`) turns the answer into a 429 with Retry-After."""

    def _refuse(self, lockout: login_throttle.Lockout, username: str | None):
        from portal.models import SecurityEventKind
        from portal.security import security_event

        self.request.login_lockout = lockout
        security_event(SecurityEventKind.LOGIN_REFUSED, request=self.request, username=username,
                       data={"scope": lockout.scope, "retry_after": lockout.retry_after})
        minutes = lockout.minutes
        return ValidationError(
            ngettext("For mange mislykkede innloggingsforsøk. Vent %(minutes)d minutt og "
                     "prøv igjen.",
                     "For mange mislykkede innloggingsforsøk. Vent %(minutes)d minutter og "
                     "prøv igjen.", minutes) % {"minutes": minutes},
            code="throttled")

    def clean(self):
        from portal.models import SecurityEventKind
        from portal.security import security_event

        username = self.cleaned_data.get("username")
        current = login_throttle.standing(username, self.request)
        lockout = current.account_lockout()
        if lockout is not None:
            raise self._refuse(lockout, username)
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) != "invalid_login":
                raise
            login_throttle.record_failure(current)
            security_event(SecurityEventKind.LOGIN_FAILED, request=self.request,
                           username=username)
            for scope in current.reached_by_next_failure():
                security_event(SecurityEventKind.LOCKOUT, request=self.request,
                               username=username if scope != login_throttle.ADDRESS else None,
                               data={"scope": scope})
            lockout = current.address_lockout()
            if lockout is not None:
                raise self._refuse(lockout, username) from error
            raise
        login_throttle.record_success(current)
        return cleaned

    def confirm_login_allowed(self, user):
        """After the password was right: refused when every organisation of the user has
        turned password login off (portal.sso). Not a failed attempt for the throttle."""
        super().confirm_login_allowed(user)
        if not password_login_allowed(user):
            raise ValidationError(
                _("Organisasjonen din har slått av innlogging med passord. Bruk «Logg inn med "
                  "kommunens konto»."), code="password_login_disabled")


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class QueuedPasswordResetForm(PasswordResetForm):
    """The reset page only enqueues: the worker looks the address up and sends the mail
    (portal.tasks.password_reset_send). The page does the same work for every address, so
    its answer time no longer tells whether an account has it once real SMTP is used."""

    def save(self, domain_override=None, use_https=False, request=None, **_options) -> None:
        from portal.tasks import password_reset_send

        # The host the request came in on (validated against ALLOWED_HOSTS), as Django's own
        # form uses for the link.
        domain = domain_override or request.get_host()
        password_reset_send.delay_on_commit(email=self.cleaned_data["email"], domain=domain,
                                            use_https=use_https,
                                            language=translation.get_language())
