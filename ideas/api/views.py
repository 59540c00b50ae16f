"""The ideas API. Reads are scoped by ideas.access; every write calls exactly one service,
the same the HTML views call."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ideas import selectors, services
from ideas.access import get_idea_for_user, visible_ideas
from ideas.api.serializers import (
    CommentSerializer,
    IdeaCommentInput,
    IdeaInput,
    IdeaMergeInput,
    IdeaRejectInput,
    IdeaReviewerInput,
    IdeaScoreInput,
    IdeaSerializer,
    IdeaTransitionInput,
    ScoreSerializer,
)
from ideas.filters import IdeaFilter
from ideas.models import Campaign, Comment, EvaluationCriterion, Idea
from portal.access import member_by_username, membership_for, organisations_where, user_can
from portal.api.base import ScopedViewSetMixin
from portal.errors import DomainError
from portal.models import Unit
from portal.params import ID_PATTERN
from portal.roles import Capability


def _service_fields(data: dict) -> dict:
    """Ids to rows; a unit or campaign of another organisation is refused by the service."""
    fields = {k: v for k, v in data.items() if k not in ("organisation", "submit")}
    missing = {"unit": _("Enheten finnes ikke."), "campaign": _("Kampanjen finnes ikke.")}
    for name, model in (("unit", Unit), ("campaign", Campaign)):
        if name in fields and fields[name] is not None:
            row = model.objects.filter(pk=fields[name]).first()
            if row is None:
                raise DomainError(missing[name], field=name)
            fields[name] = row
    return fields


ScoreSummarySerializer = inline_serializer("IdeaScoreSummary", {
    "criteria": inline_serializer("CriterionSummary", {
        "id": serializers.IntegerField(), "name": serializers.CharField(),
        "scale_min": serializers.IntegerField(), "scale_max": serializers.IntegerField(),
        "count": serializers.IntegerField(),
        "average": serializers.FloatField(allow_null=True),
        "min": serializers.IntegerField(allow_null=True),
        "max": serializers.IntegerField(allow_null=True),
        "stdev": serializers.FloatField(allow_null=True)}, many=True),
    "scores": ScoreSerializer(many=True)})


class IdeaViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  viewsets.GenericViewSet):
    """Ideas of the user's organisations and those shared with them."""

    queryset = selectors.with_list_data(Idea.objects.select_related("submitter")).order_by(
        "-updated_at", "-id")
    serializer_class = IdeaSerializer
    filterset_class = IdeaFilter

    def scope_queryset(self, queryset, user):
        return queryset.filter(visible_ideas(user))

    def get_serializer(self, *args, **kwargs):
        # `survivor_shown`: merged_into names only a survivor the reader may see (the page's
        # rule, ideas.selectors), set on the rows read (a page, or one idea) with one query.
        if args and isinstance(args[0], (list, Idea)):
            rows = args[0] if isinstance(args[0], list) else [args[0]]
            selectors.mark_survivors_shown(rows, user=self.request.user)
        return super().get_serializer(*args, **kwargs)

    def _idea(self, pk, capability=None) -> Idea:
        return get_idea_for_user(self.request.user, pk, capability=capability)

    def _out(self, idea: Idea, code=status.HTTP_200_OK) -> Response:
        idea = self.get_queryset().get(pk=idea.pk)
        return Response(IdeaSerializer(idea, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=IdeaInput, responses={201: IdeaSerializer})
    def create(self, request):
        data = IdeaInput(data=request.data)
        data.is_valid(raise_exception=True)
        orgs = organisations_where(request.user, Capability.SUBMIT_IDEA)
        number = data.validated_data.get("organisation")
        organisation = (orgs.filter(org_number=number) if number else orgs).first()
        if organisation is None:
            raise DomainError(_("Du kan ikke sende inn idéer til denne organisasjonen."),
                              field="organisation")
        idea = services.idea_capture(actor=request.user, organisation=organisation,
                                     submit=bool(data.validated_data.get("submit")),
                                     **_service_fields(data.validated_data))
        return self._out(idea, status.HTTP_201_CREATED)

    @extend_schema(request=IdeaInput, responses={200: IdeaSerializer})
    def partial_update(self, request, pk=None):
        idea = self._idea(pk)
        data = IdeaInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.idea_update(actor=request.user, idea=idea,
                             **_service_fields(data.validated_data))
        return self._out(idea)

    @extend_schema(request=IdeaInput, responses={200: IdeaSerializer})
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    def _transition(self, request, pk, input_class, call):
        idea = self._idea(pk)
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        call(idea, dict(data.validated_data))
        return self._out(idea)

    @extend_schema(request=IdeaTransitionInput, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, pk, IdeaTransitionInput, lambda idea, d: (
            services.idea_submit(actor=request.user, idea=idea, **d)))

    @extend_schema(request=None, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._transition(request, pk, IdeaTransitionInput, lambda idea, d: (
            services.idea_start_review(actor=request.user, idea=idea)))

    @extend_schema(request=IdeaTransitionInput, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, pk, IdeaTransitionInput, lambda idea, d: (
            services.idea_approve(actor=request.user, idea=idea, **d)))

    @extend_schema(request=IdeaRejectInput, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(request, pk, IdeaRejectInput, lambda idea, d: (
            services.idea_reject(actor=request.user, idea=idea, **d)))

    @extend_schema(request=IdeaTransitionInput, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def park(self, request, pk=None):
        return self._transition(request, pk, IdeaTransitionInput, lambda idea, d: (
            services.idea_park(actor=request.user, idea=idea, **d)))

    @extend_schema(request=IdeaTransitionInput, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._transition(request, pk, IdeaTransitionInput, lambda idea, d: (
            services.idea_resume(actor=request.user, idea=idea, **d)))

    @extend_schema(request=IdeaMergeInput, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        def call(idea, d):
            into = get_idea_for_user(request.user, d.pop("into"))
            services.idea_merge(actor=request.user, idea=idea, into=into, **d)
        return self._transition(request, pk, IdeaMergeInput, call)

    @extend_schema(request=None, responses={201: None, 204: None})
    @action(detail=True, methods=["post", "delete"])
    def support(self, request, pk=None):
        """POST: support the idea (once per user). DELETE: withdraw the support."""
        idea = self._idea(pk)
        if request.method == "DELETE":
            services.idea_unsupport(actor=request.user, idea=idea)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.idea_support(actor=request.user, idea=idea)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: None, 204: None})
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, pk=None):
        idea = self._idea(pk)
        if request.method == "DELETE":
            services.idea_unfollow(actor=request.user, idea=idea)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.idea_follow(actor=request.user, idea=idea)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=IdeaCommentInput, responses={200: CommentSerializer(many=True),
                                                    201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def comments(self, request, pk=None):
        idea = self._idea(pk)
        context = {**self.get_serializer_context(), "idea": idea}
        if request.method == "GET":
            rows = idea.comments.select_related("author", "moved_from")
            return Response(CommentSerializer(rows, many=True, context=context).data)
        data = IdeaCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_add(actor=request.user, idea=idea, **data.validated_data)
        return Response(CommentSerializer(comment, context=context).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=IdeaCommentInput, responses={200: CommentSerializer, 204: None})
    @action(detail=True, methods=["patch", "delete"],
            url_path=rf"comments/(?P<comment_pk>{ID_PATTERN})")
    def comment(self, request, pk=None, comment_pk=None):
        """PATCH: edit your comment (within the edit window). DELETE: soft delete."""
        idea = self._idea(pk)
        comment = get_object_or_404(Comment, pk=comment_pk, idea=idea)
        if request.method == "DELETE":
            services.comment_delete(actor=request.user, comment=comment)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = IdeaCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_edit(actor=request.user, comment=comment,
                                        **data.validated_data)
        context = {**self.get_serializer_context(), "idea": idea}
        return Response(CommentSerializer(comment, context=context).data)

    @extend_schema(methods=["GET"], request=None, responses={200: ScoreSummarySerializer})
    @extend_schema(methods=["POST"], request=IdeaScoreInput, responses={201: ScoreSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def scores(self, request, pk=None):
        """GET: the summary per criterion (members), and every score (coordinators) or your
        own. POST: set your score on one criterion (assigned reviewers and coordinators)."""
        idea = self._idea(pk)
        if membership_for(request.user, idea.organisation_id) is None:
            raise PermissionDenied
        if request.method == "POST":
            data = IdeaScoreInput(data=request.data)
            data.is_valid(raise_exception=True)
            criterion = EvaluationCriterion.objects.filter(
                pk=data.validated_data["criterion"], organisation_id=idea.organisation_id
            ).first()
            if criterion is None:
                raise DomainError(_("Ukjent kriterium."), field="criterion")
            score = services.score_set(actor=request.user, idea=idea, criterion=criterion,
                                       value=data.validated_data["value"])
            return Response(ScoreSerializer(score).data, status=status.HTTP_201_CREATED)
        criteria = selectors.criteria_of(idea.organisation_id)  # a read: seeds nothing
        scores = selectors.scores_of(idea)
        if not user_can(request.user, idea.organisation_id, Capability.SCREEN_IDEAS):
            scores = scores.filter(reviewer=request.user)
        return Response({
            "criteria": [{"id": s.criterion.pk, "name": s.criterion.name,
                          "scale_min": s.criterion.scale_min,
                          "scale_max": s.criterion.scale_max, "count": s.count,
                          "average": s.average, "min": s.minimum, "max": s.maximum,
                          "stdev": s.stdev} for s in selectors.score_summary(idea, criteria)],
            "scores": ScoreSerializer(scores, many=True).data,
        })

    @extend_schema(request=IdeaReviewerInput, responses={201: None, 204: None})
    @action(detail=True, methods=["post", "delete"])
    def reviewers(self, request, pk=None):
        """Assign (POST) or remove (DELETE) a reviewer. Coordinators only."""
        idea = self._idea(pk, capability=Capability.SCREEN_IDEAS)
        data = IdeaReviewerInput(data=request.data)
        data.is_valid(raise_exception=True)
        reviewer = member_by_username(idea.organisation_id, data.validated_data["reviewer"],
                                      field="reviewer")
        if request.method == "DELETE":
            services.reviewer_unassign(actor=request.user, idea=idea, reviewer=reviewer)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.reviewer_assign(actor=request.user, idea=idea, reviewer=reviewer)
        return Response(status=status.HTTP_201_CREATED)
