import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives.models import ORDERED_PHASES
from portal.api.parsers import nesting_depth
from portal.dates import planned_date
from portal.models import County, OrganisationKind, SizeClass
from portal.numbers import NorwegianDecimalField, NorwegianIntegerField


class PeriodForm(forms.Form):
    year = NorwegianIntegerField(label=_("År"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Periode"), required=False, coerce=int, empty_value=0,
        choices=[("", _("Hele året")), (1, _("1. kvartal")), (2, _("2. kvartal")),
                 (3, _("3. kvartal")), (4, _("4. kvartal"))])


class FreezeForm(forms.Form):
    year = NorwegianIntegerField(label=_("År"), min_value=2000, max_value=2100,
                                 widget=forms.HiddenInput)


class PointSchemeForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=50, initial="standard")
    valid_from = forms.DateField(label=_("Gjelder fra (dato)"), validators=[planned_date],
                                 widget=forms.DateInput(attrs={"type": "date"}))
    phase_points = forms.CharField(
        label=_("Poeng per fase (JSON)"), widget=forms.Textarea(attrs={"rows": 3}),
        initial=json.dumps({"idea": 1, "concept": 2, "pilot": 4, "implementation": 8,
                            "benefit_realisation": 12, "spread": 16}))
    adoption_points = NorwegianDecimalField(label=_("Poeng per adopsjon"), min_value=0,
                                            initial=Decimal(4))
    adoption_min_phase = forms.ChoiceField(label=_("Adopsjon teller fra fase"),
                                           choices=[(p, p) for p in ORDERED_PHASES],
                                           initial="implementation")
    benefit_weights = forms.CharField(
        label=_("Nyttevekt per fase (JSON)"), widget=forms.Textarea(attrs={"rows": 3}),
        initial=json.dumps({"idea": 0, "concept": 0.25, "pilot": 0.5, "implementation": 0.75,
                            "benefit_realisation": 1.0, "spread": 1.0}))
    expected_discount = NorwegianDecimalField(label=_("Vekt for forventet nytte"),
                                              min_value=0, max_value=1,
                                              initial=Decimal("0.5"))
    description = forms.CharField(label=_("Beskrivelse"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def _phase_map(self, name):
        raw = self.cleaned_data[name]
        if nesting_depth(raw.encode()) > 1:  # a flat object; deep nesting is a RecursionError
            raise forms.ValidationError(_("Må være et objekt med fase som nøkkel."))
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(_("Ugyldig JSON: %(error)s") % {"error": error})
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Må være et objekt med fase som nøkkel."))
        unknown = set(value) - set(ORDERED_PHASES)
        if unknown:
            raise forms.ValidationError(_("Ukjente faser: %(phases)s")
                                        % {"phases": ", ".join(sorted(unknown))})
        missing = set(ORDERED_PHASES) - set(value)
        if missing:
            raise forms.ValidationError(_("Mangler faser: %(phases)s")
                                        % {"phases": ", ".join(sorted(missing))})
        for phase, number in value.items():
            if not isinstance(number, (int, float)) or number < 0:
                raise forms.ValidationError(_("%(phase)s må være et tall ≥ 0.")
                                            % {"phase": phase})
        return value

    def clean_phase_points(self):
        return self._phase_map("phase_points")

    def clean_benefit_weights(self):
        return self._phase_map("benefit_weights")


class AnalysisForm(forms.Form):
    """The analyst page's filters, all in the query string (GET), so a view can be bookmarked
    and shared. Empty fields take the defaults of analysis.Filters; the view fills in the
    year."""

    year = NorwegianIntegerField(label=_("År"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Periode"), required=False, coerce=int, empty_value=0,
        choices=[("", _("Hele året")), (1, _("1. kvartal")), (2, _("2. kvartal")),
                 (3, _("3. kvartal")), (4, _("4. kvartal"))])
    measure = forms.ChoiceField(label=_("Indikator"), required=False)
    per_capita = forms.BooleanField(label=_("Per 1000 innbyggere"), required=False)
    kind = forms.ChoiceField(label=_("Type organisasjon"), required=False)
    network = forms.TypedChoiceField(label=_("Nettverk"), required=False, coerce=int,
                                     empty_value=None)
    county = forms.ChoiceField(label=_("Fylke"), required=False)
    size_class = forms.ChoiceField(label=_("Størrelse"), required=False)
    trend_by = forms.ChoiceField(label=_("Utvikling per"), required=False,
                                 choices=[("size_class", _("størrelse")), ("county", _("fylke"))])
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, networks=(), **kwargs):
        from indicators.analysis import SORTS
        from indicators.comparison import MEASURES

        super().__init__(*args, **kwargs)
        self.networks = {n.pk: n for n in networks}
        self.fields["measure"].choices = list(MEASURES.items())
        self.fields["kind"].choices = OrganisationKind.choices
        self.fields["county"].choices = [("", _("Alle fylker")), *County.choices]
        self.fields["size_class"].choices = [("", _("Alle størrelser")), *SizeClass.choices]
        self.fields["network"].choices = [("", _("Alle")),
                                          *((n.pk, n.name) for n in networks)]
        self.fields["sort"].choices = [(s, s) for name in SORTS for s in (name, f"-{name}")]
        if not self.networks:
            del self.fields["network"]

    def filters(self):
        from indicators.analysis import Filters

        data = self.cleaned_data
        chosen = {name: data[name] for name in
                  ("measure", "kind", "county", "size_class", "trend_by", "sort")
                  if data.get(name)}
        return Filters(year=data["year"],
                       quarter=int(data.get("quarter") or 0),
                       per_capita=bool(data.get("per_capita")),
                       network=self.networks.get(data.get("network")), **chosen)
