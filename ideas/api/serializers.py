from rest_framework import serializers

from ideas.access import may_see_comment_author, may_see_submitter
from ideas.models import Comment, Idea, InnovationType, Novelty, Origin, Score, TargetGroup
from ideas.selectors import survivor_shown
from initiatives.models import Track
from portal.dates import happened_date
from projects.models import Visibility, WelfareArea


class IdeaSerializer(serializers.ModelSerializer):
    """Output. The submitter is null for anonymous ideas unless the reader may see it."""

    organisation = serializers.SlugRelatedField(slug_field="org_number", read_only=True)
    submitter = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    support_count = serializers.IntegerField(read_only=True, default=None)
    comment_count = serializers.IntegerField(read_only=True, default=None)
    # Optional choices are "" when not given; read-only model fields would lose allow_blank,
    # and the schema would promise only the listed values.
    target_group = serializers.ChoiceField(TargetGroup.choices, allow_blank=True, read_only=True)
    innovation_type = serializers.ChoiceField(InnovationType.choices, allow_blank=True,
                                              read_only=True)
    welfare_area = serializers.ChoiceField(WelfareArea.choices, allow_blank=True, read_only=True)
    origin = serializers.ChoiceField(Origin.choices, allow_blank=True, read_only=True)
    novelty = serializers.ChoiceField(Novelty.choices, allow_blank=True, read_only=True)
    merged_into = serializers.SerializerMethodField(help_text=(
        "The idea this one was merged into; null unless you may read it."))

    class Meta:
        model = Idea
        fields = ["id", "title", "need", "solution", "organisation", "unit", "submitter",
                  "target_group", "innovation_type", "welfare_area", "origin", "novelty",
                  "track", "visibility", "is_anonymous", "is_confidential", "campaign", "tags",
                  "status", "rejection_reason", "merged_into", "expected_user",
                  "expected_economic", "expected_organisational", "expected_motivation",
                  "support_count", "comment_count", "submitted_at", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_submitter(self, idea: Idea) -> str | None:
        user = self.context["request"].user
        if idea.submitter_id is None or not may_see_submitter(user, idea):
            return None
        return idea.submitter.username

    def get_merged_into(self, idea: Idea) -> int | None:
        # The view marks the ideas it read (ideas.selectors.mark_survivors_shown); an idea
        # read without that is asked the same rule.
        shown = getattr(idea, "survivor_shown", None)
        if shown is None:
            shown = survivor_shown(user=self.context["request"].user, idea=idea)
        return idea.merged_into_id if shown else None

    def get_tags(self, idea: Idea) -> list[str]:
        return [t.name for t in idea.tags.all()]


class IdeaInput(serializers.Serializer):
    """Create and update; unknown organisation/unit/campaign ids are refused by the service."""

    organisation = serializers.CharField(required=False, help_text="Org number (create only); "
                                         "default: your first organisation.")
    title = serializers.CharField(max_length=200)
    need = serializers.CharField()
    solution = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.IntegerField(required=False, allow_null=True)
    campaign = serializers.IntegerField(required=False, allow_null=True)
    target_group = serializers.ChoiceField(TargetGroup.choices, required=False, allow_blank=True)
    innovation_type = serializers.ChoiceField(InnovationType.choices, required=False,
                                              allow_blank=True)
    welfare_area = serializers.ChoiceField(WelfareArea.choices, required=False, allow_blank=True)
    origin = serializers.ChoiceField(Origin.choices, required=False, allow_blank=True)
    novelty = serializers.ChoiceField(Novelty.choices, required=False, allow_blank=True)
    track = serializers.ChoiceField(Track.choices, required=False)
    visibility = serializers.ChoiceField(Visibility.choices, required=False)
    is_anonymous = serializers.BooleanField(required=False)
    is_confidential = serializers.BooleanField(required=False)
    expected_user = serializers.IntegerField(min_value=0, max_value=3, required=False,
                                             allow_null=True)
    expected_economic = serializers.IntegerField(min_value=0, max_value=3, required=False,
                                                 allow_null=True)
    expected_organisational = serializers.IntegerField(min_value=0, max_value=3,
                                                       required=False, allow_null=True)
    expected_motivation = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Create and submit at once (create only).")


class IdeaTransitionInput(serializers.Serializer):
    effective_date = serializers.DateField(required=False, validators=[happened_date],
                                           help_text="Back-date when registering history.")


class IdeaRejectInput(IdeaTransitionInput):
    reason = serializers.CharField(help_text="The submitter sees it.")


class IdeaMergeInput(IdeaTransitionInput):
    into = serializers.IntegerField(help_text="The surviving idea.")


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at", "edited_at", "deleted", "moved_from"]

    def get_author(self, comment: Comment) -> str | None:
        if comment.author_id is None or not may_see_comment_author(
                self.context["request"].user, comment, self.context["idea"]):
            return None
        return comment.author.username

    def get_body(self, comment: Comment) -> str:
        return "" if comment.deleted_at else comment.body

    def get_deleted(self, comment: Comment) -> bool:
        return comment.deleted_at is not None


class IdeaCommentInput(serializers.Serializer):
    body = serializers.CharField()


class ScoreSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True)

    class Meta:
        model = Score
        fields = ["id", "criterion", "criterion_name", "reviewer", "value", "updated_at"]


class IdeaScoreInput(serializers.Serializer):
    criterion = serializers.IntegerField()
    value = serializers.IntegerField()


class IdeaReviewerInput(serializers.Serializer):
    reviewer = serializers.CharField(help_text="Username of a member of the organisation.")
