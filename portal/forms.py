from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
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
    """Refuse the login while the username or the client's address is locked out after too
    many failures (portal.login_throttle), before the password is even checked."""

    locked = False

    def clean(self):
        username = self.cleaned_data.get("username")
        if login_throttle.is_locked(username, self.request):
            self.locked = True
            minutes = login_throttle.lockout_minutes()
            raise ValidationError(
                ngettext("For mange mislykkede innloggingsforsøk. Vent %(minutes)d minutt og "
                         "prøv igjen.",
                         "For mange mislykkede innloggingsforsøk. Vent %(minutes)d minutter og "
                         "prøv igjen.", minutes) % {"minutes": minutes},
                code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                login_throttle.record_failure(username, self.request)
            raise
        login_throttle.record_success(username)
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
