from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordLoginForm(forms.Form):
    password_login_allowed = forms.BooleanField(
        label=_("Tillat innlogging med brukernavn og passord"), required=False,
        help_text=_("Slått av: medlemmene logger inn med kommunens konto. Den som også er "
                    "medlem av en organisasjon som tillater passord, beholder det; "
                    "driftsbrukere (superbrukere) beholder alltid passordet for nødtilgang."))
