"""HTML forms for the benefit pages. They parse input; the rules live in gevinst.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gevinst.models import Beneficiary, BenefitStatus, BenefitType, Direction, NodeKind
from gevinst.services import UNITS
from initiatives.models import AssessmentKind, Dimension
from portal.conflicts import VersionedForm
from portal.dates import happened_date, planned_date
from portal.limits import MAX_NOK_PER_UNIT, MAX_PERIODS_PER_YEAR
from portal.models import User
from portal.numbers import NorwegianDecimalField, NorwegianIntegerField
from portal.roles import ROLE_CAPABILITIES, Capability

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORES = [(0, _("0 – ingen")), (1, _("1 – liten")), (2, _("2 – moderat")), (3, _("3 – stor"))]


def owner_candidates(organisation):
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.DECIDE_GATES in caps]
    return User.objects.filter(memberships__organisation=organisation,
                               memberships__role__in=roles).order_by("first_name", "username")


class BenefitForm(VersionedForm, forms.Form):
    title = forms.CharField(label=_("Tittel"), max_length=200)
    type = forms.ChoiceField(label=_("Gevinsttype"), choices=BenefitType.choices)
    dimension = forms.ChoiceField(label=_("Dimensjon"), choices=Dimension.choices)
    beneficiary = forms.ChoiceField(label=_("Hvem får gevinsten"), choices=Beneficiary.choices,
                                    initial=Beneficiary.ORGANISATION)
    owner = forms.ModelChoiceField(label=_("Gevinsteier"), queryset=User.objects.none(),
                                   required=False,
                                   help_text=_("En leder i linjeorganisasjonen."))
    unit = forms.ChoiceField(label=_("Måleenhet"))
    direction = forms.ChoiceField(label=_("Retning"), choices=Direction.choices)
    baseline_value = NorwegianDecimalField(label=_("Nullpunkt (verdi)"), max_digits=14,
                                           decimal_places=2)
    baseline_on = forms.DateField(label=_("Nullpunkt målt"), widget=DATE,
                                  validators=[happened_date])
    baseline_method = forms.CharField(label=_("Målemetode"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    target_value = NorwegianDecimalField(label=_("Mål (verdi)"), max_digits=14, decimal_places=2)
    target_on = forms.DateField(label=_("Måldato"), widget=DATE, validators=[planned_date])
    nok_per_unit = NorwegianDecimalField(
        label=_("Kroner per enhet"), max_digits=14, decimal_places=2, required=False,
        max_value=MAX_NOK_PER_UNIT,
        help_text=_("For spart tid: timekostnaden. For unngåtte kostnader: "
                    "kostnaden per oppgave."))
    periods_per_year = NorwegianDecimalField(label=_("Perioder per år"), max_digits=8,
                                             decimal_places=2, required=False,
                                             max_value=MAX_PERIODS_PER_YEAR,
                                             help_text=_("52 for tall per uke, 12 per måned."))
    assumptions = forms.CharField(label=_("Forutsetninger og usikkerhet"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=BenefitStatus.choices,
                               initial=BenefitStatus.PLANNED)
    version = NorwegianIntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, current_unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_candidates(organisation)
        units = list(UNITS)
        if current_unit and current_unit not in units:
            units.insert(0, current_unit)
        self.fields["unit"].choices = [(u, u) for u in units]

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Dato"), widget=DATE, validators=[happened_date])
    value = NorwegianDecimalField(label=_("Målt verdi"), max_digits=14, decimal_places=2)
    evidence = forms.CharField(label=_("Dokumentasjon"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Hvor tallet kommer fra, for eksempel et uttrekk "
                                           "fra fagsystemet."))


class AssessmentForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Dimensjon"), choices=Dimension.choices)
    kind = forms.ChoiceField(label=_("Type"), choices=AssessmentKind.choices)
    score = forms.TypedChoiceField(label=_("Nytte"), choices=SCORES, coerce=int)
    assessed_on = forms.DateField(label=_("Dato"), widget=DATE, validators=[happened_date])
    motivation = forms.CharField(label=_("Begrunnelse"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(VersionedForm, forms.Form):
    interval_months = NorwegianIntegerField(label=_("Måleintervall (måneder)"),
                                            required=False, min_value=1, max_value=36)
    first_due_on = forms.DateField(label=_("Første måling"), required=False, widget=DATE,
                                   validators=[planned_date])
    notes = forms.CharField(label=_("Plan og ansvar"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("Hvordan gevinstene skal hentes ut, av hvem og når."))
    version = NorwegianIntegerField(widget=forms.HiddenInput, required=False)


class NodeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=NodeKind.choices)
    label = forms.CharField(label=_("Tekst"), max_length=120)
    benefit = forms.ModelChoiceField(label=_("Knyttet til gevinst"), required=False,
                                     queryset=None)
    order = NorwegianIntegerField(label=_("Plassering i kolonnen"), required=False,
                                  min_value=0, max_value=99,
                                  help_text=_("0 er øverst. Tomt: nederst."))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].queryset = project.benefits.all()


class EdgeForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Fra"), queryset=None)
    target = forms.ModelChoiceField(label=_("Til"), queryset=None)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = project.map_nodes.all()
        self.fields["source"].queryset = nodes
        self.fields["target"].queryset = nodes
        label = lambda n: f"{n.get_kind_display()}: {n.label}"  # noqa: E731
        self.fields["source"].label_from_instance = label
        self.fields["target"].label_from_instance = label


class CalculatorForm(forms.Form):
    """The KS/NVP helpers: time saved at an hourly cost, avoided tasks at a cost per task."""

    METHODS = [("time_saved", _("Spart tid × timekostnad")),
               ("avoided_costs", _("Unngåtte oppgaver × kostnad per oppgave"))]
    method = forms.ChoiceField(label=_("Metode"), choices=METHODS)
    quantity = NorwegianDecimalField(label=_("Timer spart eller oppgaver unngått per periode"),
                                     max_digits=14, decimal_places=2)
    unit_cost = NorwegianDecimalField(label=_("Kroner per time eller per oppgave"),
                                      max_digits=14, decimal_places=2, min_value=0,
                                      help_text=_("For eksempel 300 kr per time."))
    periods_per_year = NorwegianDecimalField(label=_("Perioder per år"), max_digits=8,
                                             decimal_places=2, min_value=0, initial=52,
                                             help_text=_("52 per uke, 12 per måned."))
