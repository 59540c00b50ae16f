"""The response shapes of the indicator API, for the OpenAPI schema (issue 15: no free-form
response body). The views build the items in `indicators.selectors` (one shape for JSON and
CSV); these serializers say what that shape is, field by field, and the schema fuzzing
(tests/portal/test_api_schema_fuzz.py) checks every response against them."""

from rest_framework import serializers

from indicators.models import JobState, PeriodStatus
from initiatives.models import COUNTED_PHASES
from portal.models import SizeClass

# Money is a decimal string across the API (as in benefits): never a float that rounds.
NOK = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}


class IndicatorOrganisationSerializer(serializers.Serializer):
    org_number = serializers.CharField(help_text="Organisation number (9 digits).")
    name = serializers.CharField()
    size_class = serializers.ChoiceField(choices=SizeClass.values)
    county = serializers.CharField(allow_blank=True,
                                   help_text="The county's name; blank when unknown.")
    county_number = serializers.CharField(
        allow_blank=True, help_text="The county's number (SSB fylkesnummer, 2 digits): the "
                                    "stable code; blank when the county is unknown.")
    municipality_number = serializers.CharField(
        allow_blank=True, help_text="Kommunenummer (SSB, 4 digits) of a municipality; blank "
                                    "for other organisations or when unknown.")


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Inclusive.")


PhaseCountsSerializer = type("PhaseCountsSerializer", (serializers.Serializer,), {
    str(phase): serializers.IntegerField(min_value=0) for phase in COUNTED_PHASES})


class ActivitySerializer(serializers.Serializer):
    phase_counts = PhaseCountsSerializer(help_text="Initiatives per phase on the period's end.")
    stock_points = serializers.FloatField(help_text="Sum of phase points on the period's end.")
    forward_transitions = serializers.IntegerField(min_value=0)
    adoption_points = serializers.FloatField()
    points = serializers.FloatField(help_text="stock_points + adoption_points.")


class BenefitDimensionsSerializer(serializers.Serializer):
    user = serializers.FloatField()
    economic = serializers.FloatField()
    organisational = serializers.FloatField()


class BenefitIndicatorSerializer(serializers.Serializer):
    points = serializers.FloatField()
    by_dimension = BenefitDimensionsSerializer()
    realised_nok_per_year = serializers.DecimalField(
        **NOK, help_text="NOK per year, a decimal string; may be negative.")


class IndicatorItemSerializer(serializers.Serializer):
    organisation = IndicatorOrganisationSerializer()
    period = PeriodSerializer()
    computed = serializers.BooleanField(
        help_text="false: nothing computed for this organisation and period yet; the numbers "
                  "are zeros, not measured zeros.")
    scheme = serializers.CharField(allow_null=True,
                                   help_text="The point scheme's label, e.g. standard-1; "
                                             "null when not computed.")
    status = serializers.ChoiceField(choices=PeriodStatus.values, allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    activity = ActivitySerializer()
    benefit = BenefitIndicatorSerializer()


class IndicatorPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Items on all pages.")
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True)
    results = IndicatorItemSerializer(many=True)


class SummaryGroupSerializer(serializers.Serializer):
    group = serializers.CharField(allow_null=True, allow_blank=True,
                                  help_text="The county, size class, network or `national`.")
    code = serializers.CharField(allow_null=True, help_text="The county's number (SSB "
                                                            "fylkesnummer) by county; else null.")
    organisations = serializers.IntegerField(min_value=0, help_text="Organisations in the "
                                                                    "group, computed or not.")
    computed_organisations = serializers.IntegerField(
        min_value=0, help_text="Those of them with numbers computed for the period.")
    period = PeriodSerializer()
    activity = ActivitySerializer()
    benefit = BenefitIndicatorSerializer()


class SummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SummaryGroupSerializer(many=True)


class IndicatorJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True, help_text="null: the whole year.")
    organisation = serializers.CharField(allow_null=True,
                                         help_text="Organisation number; null: all.")
    state = serializers.ChoiceField(choices=JobState.values)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
