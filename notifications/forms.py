from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import EmailFrequency


class PreferenceForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("Hvor ofte vil du ha e-post om varsler?"), choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Varslene ligger alltid i varselsenteret, uansett hva du velger her."))
