from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideas.access import merge_targets
from ideas.models import MAX_ATTACHMENT_BYTES, Campaign, Idea, IdeaStatus
from ideas.services.status import NEED_MISSING
from portal import numbers
from portal.dates import PLANNED, date_widget_attrs, dated_formfield
from portal.models import Unit, User

SCORE_CHOICES = [("", "–"), (0, _("0 – ingen")), (1, _("1 – liten")), (2, _("2 – moderat")),
                 (3, _("3 – stor"))]
ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.txt"
# The similar-ideas lookup while typing (htmx); without JavaScript the detail page shows them.
SIMILAR_ATTRS = {"hx-get": reverse_lazy("ideas:similar"), "hx-target": "#similar",
                 "hx-trigger": "keyup changed delay:600ms, change",
                 "hx-include": "#id_title, #id_need", "hx-sync": "this:replace"}


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


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
    tags = forms.CharField(label=_("Stikkord"), required=False, max_length=300,
                           help_text=_("Skill med komma, for eksempel: nattilsyn, sensor"))
    attachment = forms.FileField(
        label=_("Vedlegg"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, bilder, Office- eller OpenDocument-filer og tekst, maks %(mb)s MB.")
        % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)})

    SHORT = ["title", "need", "unit", "solution"]

    class Meta:
        model = Idea
        formfield_callback = numbers.formfield
        fields = ["title", "need", "unit", "solution", "target_group", "innovation_type",
                  "welfare_area", "origin", "novelty", "track", "campaign", "visibility",
                  "is_anonymous", "is_confidential", "expected_user", "expected_economic",
                  "expected_organisational", "expected_motivation"]
        widgets = {"need": forms.Textarea(attrs={"rows": 4, **SIMILAR_ATTRS}),
                   "title": forms.TextInput(attrs=SIMILAR_ATTRS),
                   "solution": forms.Textarea(attrs={"rows": 3}),
                   "expected_motivation": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "need": _("Beskriv behovet, ikke løsningen: hva er vanskelig i dag, og for hvem?"),
            "is_anonymous": _("Navnet ditt vises bare for innovasjonskoordinatorer og "
                              "administratorer."),
            "is_confidential": _("For eksempel før patentsøknad. Deles aldri utenfor "
                                 "organisasjonen."),
        }

    def __init__(self, *args, organisation, with_attachment=True, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].error_messages["required"] = NEED_MISSING
        if not submitting and (self.instance.pk is None
                               or self.instance.status == IdeaStatus.DRAFT):
            # «Lagre utkast» needs only a title; the need is required to submit (checked here
            # with «Send inn», so both missing fields are named at once, and in idea_submit).
            self.fields["need"].required = False
            self.fields["need"].required_to_submit = True
        self.fields["unit"].queryset = Unit.objects.filter(organisation=organisation)
        today = timezone.localdate()
        campaigns = Campaign.objects.filter(organisation=organisation, opens_on__lte=today,
                                            closes_on__gte=today)
        if self.instance.pk and self.instance.campaign_id:
            campaigns = campaigns | Campaign.objects.filter(pk=self.instance.campaign_id)
        self.fields["campaign"].queryset = campaigns
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        if not with_attachment:
            del self.fields["attachment"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("attachment", None)
        data["tags"] = split_tags(data.get("tags", ""))
        return data

    def short_fields(self):
        return [self[name] for name in self.SHORT]

    def enrichment_fields(self):
        return [self[name] for name in self.fields if name not in self.SHORT]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Begrunnelse (innsenderen ser den)"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Slå sammen med"), queryset=Idea.objects.none())

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the targets the merge rule allows (issue 13): a refusal after posting was the
        # only sign before. The service refuses the others all the same.
        self.fields["into"].queryset = merge_targets(idea).order_by("title")


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Vurderer"), queryset=User.objects.none())

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            User.objects.filter(memberships__organisation_id=idea.organisation_id,
                                is_active=True)
            .exclude(idea_assignments__idea=idea).order_by("first_name", "last_name"))


class ScoreForm(forms.Form):
    """One choice per criterion of the organisation."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        for criterion in criteria:
            choices = [("", "–")] + [(v, str(v)) for v in range(criterion.scale_min,
                                                                 criterion.scale_max + 1)]
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name, help_text=criterion.description, choices=choices,
                coerce=int, required=False, empty_value=None,
                initial=initial_scores.get(criterion.pk))

    def values(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()
                if value is not None}


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Kommentar"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Vedlegg"), widget=forms.ClearableFileInput(
        attrs={"accept": ACCEPT}))


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "description", "opens_on", "closes_on"]
        # The date policy (portal.dates): a campaign's dates are planned; number fields, if
        # the form gains any, read Norwegian input (the same callback).
        formfield_callback = dated_formfield({}, PLANNED)
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}),
                   "closes_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A date picker that offers only what the date policy accepts.
        for name in ("opens_on", "closes_on"):
            self.fields[name].widget.attrs.update(date_widget_attrs(PLANNED))
