from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideas.models import Campaign, Idea
from portal.models import Unit

SCORE_CHOICES = [("", "–"), (0, _("0 – ingen")), (1, _("1 – liten")), (2, _("2 – moderat")),
                 (3, _("3 – stor"))]


class IdeaForm(forms.ModelForm):
    """The short form (title, need, unit, solution) first; the rest is optional enrichment."""

    expected_user = forms.TypedChoiceField(label=_("Forventet brukernytte"), required=False,
                                           choices=SCORE_CHOICES, coerce=int, empty_value=None)
    expected_economic = forms.TypedChoiceField(label=_("Forventet økonomisk nytte"),
                                               required=False, choices=SCORE_CHOICES,
                                               coerce=int, empty_value=None)
    expected_organisational = forms.TypedChoiceField(
        label=_("Forventet organisatorisk nytte"), required=False, choices=SCORE_CHOICES,
        coerce=int, empty_value=None)

    SHORT = ["title", "need", "unit", "solution"]

    class Meta:
        model = Idea
        fields = ["title", "need", "unit", "solution", "target_group", "innovation_type",
                  "welfare_area", "origin", "novelty", "track", "campaign", "visibility",
                  "is_anonymous", "is_confidential", "expected_user", "expected_economic",
                  "expected_organisational", "expected_motivation"]
        widgets = {"need": forms.Textarea(attrs={"rows": 4}),
                   "solution": forms.Textarea(attrs={"rows": 3}),
                   "expected_motivation": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "need": _("Beskriv behovet, ikke løsningen: hva er vanskelig i dag, og for hvem?"),
            "is_anonymous": _("Navnet ditt vises bare for innovasjonskoordinatorer og "
                              "administratorer."),
            "is_confidential": _("For eksempel før patentsøknad. Deles aldri utenfor "
                                 "organisasjonen."),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation)
        today = timezone.localdate()
        self.fields["campaign"].queryset = Campaign.objects.filter(
            organisation=organisation, opens_on__lte=today, closes_on__gte=today)

    def short_fields(self):
        return [self[name] for name in self.SHORT]

    def enrichment_fields(self):
        return [self[name] for name in self.fields if name not in self.SHORT]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Begrunnelse (innsenderen ser den)"),
                             widget=forms.Textarea(attrs={"rows": 2}))
