from rest_framework import serializers

from initiatives.models import Phase, PhaseChange, StopReason
from portal.dates import happened_date
from projects.models import Project
from projects.selectors import is_hidden_submission


class ProjectSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="org_number", read_only=True)
    phase = serializers.CharField(source="initiative.phase", read_only=True)
    key = serializers.CharField(source="initiative.key", read_only=True)
    leader = serializers.CharField(source="leader.username", read_only=True, default=None,
                                   allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "key", "title", "need", "organisation", "unit", "leader", "track",
                  "visibility", "welfare_area", "phase", "adopted_from", "created_at"]


# The decision itself: for members of the project's organisation only (the project page);
# readers of a shared project see what the catalogue shows, the phase steps.
DECISION_FIELDS = ("decided_by", "rationale", "stop_reason", "lesson_learned", "checklist")


class PhaseChangeSerializer(serializers.ModelSerializer):
    """`decided_by` is null for the submission of an anonymous idea when the reader may not
    see its submitter (the view passes the reader as `user` in the context). Without
    `details` in the context (projects.access.may_read_decisions: readers outside the
    organisation) every decision field is null."""

    decided_by = serializers.SerializerMethodField()
    rationale = serializers.CharField(read_only=True, allow_null=True)
    stop_reason = serializers.ChoiceField(StopReason.choices, read_only=True, allow_null=True,
                                          allow_blank=True)
    lesson_learned = serializers.CharField(read_only=True, allow_null=True)
    checklist = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = PhaseChange
        fields = ["id", "from_phase", "to_phase", "effective_date", "decided_by", "rationale",
                  "stop_reason", "lesson_learned", "checklist", "created_at"]

    def get_decided_by(self, change: PhaseChange) -> str | None:
        user = self.context.get("user")
        if change.decided_by_id is None or (
                change.anonymous_submission if user is None
                else is_hidden_submission(change, user)):
            return None
        return change.decided_by.username

    def to_representation(self, change: PhaseChange) -> dict:
        data = super().to_representation(change)
        if not self.context.get("details", False):
            data.update(dict.fromkeys(DECISION_FIELDS))
        return data


class TransitionInput(serializers.Serializer):
    to_phase = serializers.ChoiceField(choices=Phase.choices)
    effective_date = serializers.DateField(required=False, validators=[happened_date])
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    stop_reason = serializers.ChoiceField(choices=StopReason.choices, required=False,
                                          allow_blank=True, default="")
    lesson_learned = serializers.CharField(required=False, allow_blank=True, default="")
    expected_phase = serializers.ChoiceField(
        choices=Phase.choices, required=False,
        help_text="The phase you saw; if the project moved meanwhile you get 409.")


class AdoptInput(serializers.Serializer):
    organisation = serializers.CharField(help_text="Org number of the adopting organisation.")
    start_phase = serializers.ChoiceField(choices=[("concept", "concept"), ("pilot", "pilot")],
                                          default="concept")
    effective_date = serializers.DateField(required=False, validators=[happened_date])
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


class ChecklistRowSerializer(serializers.Serializer):
    """One item of the gate checklist of the project's current phase."""

    item = serializers.IntegerField()
    text = serializers.CharField()
    done = serializers.BooleanField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField(allow_null=True)


class ChecklistTickInput(serializers.Serializer):
    item = serializers.IntegerField()
    done = serializers.BooleanField()
