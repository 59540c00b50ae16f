from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import PointScheme
from initiatives.models import ORDERED_PHASES, Phase
from portal.dates import PLANNED, date_widget_attrs, planned_date
from portal.models import County, OrganisationKind, SizeClass
from portal.numbers import (
    NorwegianDecimalField,
    NorwegianIntegerField,
    NumberInput,
    format_number,
)

# The scheme's numbers are shown as written (4, 0,25), not padded to their decimal places.
# A phase's or an adoption's points: far above any sensible value, and small enough that a
# municipality's sum stays within the snapshot's 14 digits.
MAX_POINTS = 1000


class PeriodForm(forms.Form):
    year = NorwegianIntegerField(label=_("År"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Periode"), required=False, coerce=int, empty_value=0,
        choices=[("", _("Hele året")), (1, _("1. kvartal")), (2, _("2. kvartal")),
                 (3, _("3. kvartal")), (4, _("4. kvartal"))])


class FreezeForm(forms.Form):
    year = NorwegianIntegerField(label=_("År"), min_value=2000, max_value=2100,
                                 widget=forms.HiddenInput)


def _json_number(value: Decimal) -> int | float:
    """A scheme value as the JSON of PointScheme stores it (4, 0.25)."""
    return int(value) if value == value.to_integral_value() else float(value)


class PointSchemeForm(forms.Form):
    """A new version of the point scheme: one number per phase for the activity points and
    for the benefit weight, the adoption rule and the expected-benefit weight, valid from a
    date. It starts from the version in force (`current`), so an editor changes what differs."""

    name = forms.CharField(label=_("Navn"), max_length=50, initial="standard",
                           help_text=_("Samme navn gir en ny versjon av modellen."))
    valid_from = forms.DateField(label=_("Gjelder fra"), validators=[planned_date],
                                 widget=forms.DateInput(
                                     attrs={"type": "date", **date_widget_attrs(PLANNED)},
                                     format="%Y-%m-%d"),
                                 help_text=_("Perioder som slutter denne dagen eller senere "
                                             "beregnes med den nye versjonen."))
    adoption_points = NorwegianDecimalField(
        label=_("Poeng per adopsjon"), min_value=0, max_value=MAX_POINTS, max_digits=6,
        decimal_places=2, widget=NumberInput(),
        help_text=_("Til organisasjonen som ble adoptert fra."))
    adoption_min_phase = forms.ChoiceField(label=_("Adopsjon teller fra fase"),
                                           choices=[(p, Phase(p).label) for p in ORDERED_PHASES])
    expected_discount = NorwegianDecimalField(
        label=_("Vekt for forventet nytte"), min_value=0, max_value=1, max_digits=4,
        decimal_places=3, widget=NumberInput(),
        help_text=_("Mellom 0 og 1. En forventet nytte teller så mye av en realisert."))
    description = forms.CharField(label=_("Hva er endret, og hvorfor"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current: PointScheme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for phase in ORDERED_PHASES:
            label = Phase(phase).label
            self.fields[f"points_{phase}"] = NorwegianDecimalField(
                label=label, min_value=0, max_value=MAX_POINTS, max_digits=6, decimal_places=2,
                widget=NumberInput())
            self.fields[f"weight_{phase}"] = NorwegianDecimalField(
                label=label, min_value=0, max_value=1, max_digits=4, decimal_places=3,
                widget=NumberInput())
        if current is not None and not self.is_bound:
            self.initial.update(self.values_of(current))

    @staticmethod
    def values_of(scheme: PointScheme) -> dict:
        """A stored version as this form's values (the initial values, and the «now» column
        of the confirmation)."""
        values = {"name": scheme.name, "adoption_points": scheme.adoption_points,
                  "adoption_min_phase": scheme.adoption_min_phase,
                  "expected_discount": scheme.expected_discount}
        for phase in ORDERED_PHASES:
            values[f"points_{phase}"] = Decimal(str(scheme.phase_points.get(phase, 0)))
            values[f"weight_{phase}"] = Decimal(str(scheme.benefit_weights.get(phase, 0)))
        return values

    def phase_groups(self) -> list[tuple[str, list]]:
        """The per-phase fields in their two groups, for the template's fieldsets."""
        return [(_("Aktivitetspoeng per fase"),
                 [self[f"points_{p}"] for p in ORDERED_PHASES]),
                (_("Nyttevekt per fase (mellom 0 og 1)"),
                 [self[f"weight_{p}"] for p in ORDERED_PHASES])]

    def other_fields(self) -> list:
        return [self[name] for name in ("name", "valid_from", "adoption_points",
                                        "adoption_min_phase", "expected_discount",
                                        "description")]

    def service_fields(self) -> dict:
        """The cleaned values as point_scheme_create takes them."""
        data = self.cleaned_data
        return {
            "name": data["name"], "valid_from": data["valid_from"],
            "phase_points": {p: _json_number(data[f"points_{p}"]) for p in ORDERED_PHASES},
            "benefit_weights": {p: _json_number(data[f"weight_{p}"]) for p in ORDERED_PHASES},
            "adoption_points": data["adoption_points"],
            "adoption_min_phase": data["adoption_min_phase"],
            "expected_discount": data["expected_discount"],
            "description": data["description"],
        }

    def changes(self, current: PointScheme | None) -> list[dict]:
        """What the new version changes against `current`: label, now and new value of every
        setting that differs (all of them for a scheme's first version)."""
        before = self.values_of(current) if current is not None else {}
        rows = []
        for name in [*(f"points_{p}" for p in ORDERED_PHASES),
                     *(f"weight_{p}" for p in ORDERED_PHASES),
                     "adoption_points", "adoption_min_phase", "expected_discount"]:
            new, old = self.cleaned_data[name], before.get(name)
            if new == old:
                continue
            rows.append({"label": self._change_label(name),
                         "old": "–" if old is None else self._shown(name, old),
                         "new": self._shown(name, new)})
        return rows

    def _change_label(self, name: str) -> str:
        field = self.fields[name]
        if name.startswith("points_"):
            return _("Poeng: %(phase)s") % {"phase": field.label}
        if name.startswith("weight_"):
            return _("Nyttevekt: %(phase)s") % {"phase": field.label}
        return str(field.label)

    def _shown(self, name: str, value) -> str:
        if name == "adoption_min_phase":
            return str(Phase(value).label)
        return format_number(value)


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
