"""Forms for the project pages. They validate input; the services decide and write."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Phase, StopReason
from portal import numbers
from portal.conflicts import VersionedForm
from portal.dates import PLANNED, date_widget_attrs, dated_formfield, happened_date
from portal.models import Organisation, Unit, User
from portal.numbers import NorwegianIntegerField
from projects.models import Project
from projects.services.adoption import ADOPTION_START_PHASES
from projects.services.content import CONTENT_DATE_KINDS, CONTENT_KINDS, item_version

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(VersionedForm, forms.ModelForm):
    """The project's own fields; `version` carries the version the editor started from."""

    version = NorwegianIntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Project
        formfield_callback = numbers.formfield
        fields = ["title", "need", "description", "unit", "leader", "visibility",
                  "welfare_area"]
        widgets = {"need": forms.Textarea(attrs={"rows": 4}),
                   "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, instance=project, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(organisation=project.organisation_id)
        self.fields["leader"].queryset = User.objects.filter(
            memberships__organisation=project.organisation_id).order_by("first_name",
                                                                         "last_name")
        if not self.is_bound:
            self.initial["version"] = project.version

    def service_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class DecisionForm(forms.Form):
    """A gate decision, park, resume, stop or step back. `expected_phase` is the phase the
    decider saw, so a decision on a stale page becomes a conflict."""

    to_phase = forms.ChoiceField(label=_("Ny fase"), choices=Phase.choices)
    effective_date = forms.DateField(
        label=_("Gjelder fra"), required=False, widget=DATE, validators=[happened_date],
        help_text=_("Tomt betyr i dag. Kan tilbakedateres, men ikke før forrige faseendring."))
    rationale = forms.CharField(label=_("Begrunnelse"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    stop_reason = forms.ChoiceField(label=_("Hvorfor stoppes prosjektet?"), required=False,
                                    choices=[("", "–"), *StopReason.choices])
    lesson_learned = forms.CharField(label=_("Hva lærte dere?"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    expected_phase = forms.ChoiceField(choices=Phase.choices, widget=forms.HiddenInput)

    def __init__(self, *args, targets: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["to_phase"].choices = targets


class AdoptForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisasjon som adopterer"),
                                          queryset=Organisation.objects.none(),
                                          to_field_name="org_number", empty_label=None)
    start_phase = forms.ChoiceField(
        label=_("Start i fase"),
        choices=[(p.value, p.label) for p in ADOPTION_START_PHASES])
    rationale = forms.CharField(label=_("Begrunnelse"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ChecklistItemForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fase"), choices=[
        (p, Phase(p).label) for p in ("concept", "pilot", "implementation",
                                      "benefit_realisation", "spread")])
    text = forms.CharField(label=_("Punkt"), max_length=300)


_dated_formfield = dated_formfield(CONTENT_DATE_KINDS, PLANNED)


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    # Date fields get the date policy's validator (portal.dates; CONTENT_DATE_KINDS), number
    # fields read Norwegian input (portal.numbers).
    return _dated_formfield(field, **kwargs)


def content_form_class(kind: str, project: Project) -> type[forms.ModelForm]:
    """A ModelForm for one kind of project content (services.content.CONTENT_KINDS)."""
    spec = CONTENT_KINDS[kind]
    widgets = {}
    for name in spec.fields:
        field = spec.model._meta.get_field(name)
        if field.get_internal_type() == "DateField":
            widgets[name] = forms.DateInput(attrs={"type": "date", **date_widget_attrs(
                CONTENT_DATE_KINDS.get(name, PLANNED))}, format="%Y-%m-%d")
        elif field.get_internal_type() == "TextField":
            widgets[name] = forms.Textarea(attrs={"rows": 3})
    meta = type("Meta", (), {"model": spec.model, "fields": list(spec.fields),
                             "widgets": widgets, "formfield_callback": _formfield})

    def init(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        if self.instance.pk:
            # The version the editor starts from (services.content.item_version): a save
            # after someone else's is a conflict, not a silent overwrite.
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
            self.initial["version"] = item_version(kind, self.instance)
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = Organisation.objects.exclude(
                pk=project.organisation_id).order_by("name")

    attrs = {"Meta": meta, "__init__": init}
    return type(f"{spec.model.__name__}Form", (VersionedForm, forms.ModelForm), attrs)
