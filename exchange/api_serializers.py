"""The shapes of the portfolio API for the OpenAPI schema (issue 15: no free-form bodies): the
innoportal-portfolio/1 document
(docs/domain.md "Portfolio exchange format (app `exchange`)") that the export streams and the
import reads, and the import's result. The exporter and importer remain the
code that writes and reads the document; these serializers document it field by field."""

from rest_framework import serializers

from indicators.models import JobState
from portal.models import OrganisationKind

NUMBER_HELP = "A JSON number, carried exactly (the import refuses what it cannot store exactly)."


class PortfolioAttributesSerializer(serializers.Serializer):
    """The county and population in force from `from` until the next entry's date."""

    county = serializers.CharField(allow_blank=True)
    population = serializers.IntegerField(allow_null=True, min_value=0)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: the field is added under its name in the document.
        fields["from"] = serializers.DateField(help_text="In force from this date.")
        return fields


class PortfolioOrganisationSerializer(serializers.Serializer):
    org_number = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.values)
    county = serializers.CharField(allow_blank=True)
    population = serializers.IntegerField(allow_null=True, min_value=0)
    municipality_number = serializers.RegexField(
        r"^[0-9]{4}$", required=False, help_text="Kommunenummer (SSB), municipalities only.")
    county_number = serializers.RegexField(
        r"^[0-9]{2}$", required=False, help_text="Fylkesnummer (SSB), county organisations only.")
    history = PortfolioAttributesSerializer(
        many=True, required=False,
        help_text="The dated history of county and population, oldest first; the entry in force "
                  "today equals the organisation's county and population. Indicators of a "
                  "period use the entry in force on the period's end date.")


class PortfolioPhaseSerializer(serializers.Serializer):
    phase = serializers.CharField()
    on = serializers.DateField()


class PortfolioAssessmentSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    kind = serializers.CharField()
    score = serializers.IntegerField(min_value=0, max_value=3)
    on = serializers.DateField()


class PortfolioMeasurementSerializer(serializers.Serializer):
    on = serializers.DateField()
    value = serializers.FloatField(help_text=NUMBER_HELP)


class PortfolioBenefitSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable id, unique within the initiative.")
    title = serializers.CharField()
    type = serializers.CharField()
    dimension = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    direction = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True, help_text=NUMBER_HELP)
    baseline_on = serializers.DateField()
    target = serializers.FloatField(allow_null=True, help_text=NUMBER_HELP)
    target_on = serializers.DateField()
    nok_per_unit = serializers.FloatField(required=False, help_text=NUMBER_HELP)
    periods_per_year = serializers.FloatField(required=False, help_text=NUMBER_HELP)
    measurements = PortfolioMeasurementSerializer(many=True)


class PortfolioInitiativeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=(
        "Stable id, unique within the organisation: importing it again changes nothing."))
    organisation = serializers.CharField(help_text="The organisation's number.")
    title = serializers.CharField()
    need = serializers.CharField(allow_blank=True)
    track = serializers.CharField()
    visibility = serializers.CharField()
    adopted_from = serializers.CharField(allow_null=True, help_text="The origin's key.")
    adopted_from_organisation = serializers.CharField(required=False, help_text=(
        "The origin's organisation number; written with `adopted_from`, needed on import only "
        "when the key names shared projects of several organisations."))
    phases = PortfolioPhaseSerializer(many=True)
    assessments = PortfolioAssessmentSerializer(many=True)
    benefits = PortfolioBenefitSerializer(many=True)


class PortfolioDocumentSerializer(serializers.Serializer):
    format = serializers.CharField(help_text="`innoportal-portfolio/1`.")
    organisations = PortfolioOrganisationSerializer(many=True)
    initiatives = PortfolioInitiativeSerializer(many=True)


class PortfolioImportResultSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The counts below in one sentence.")
    organisations_created = serializers.IntegerField(min_value=0)
    organisations_updated = serializers.IntegerField(min_value=0)
    initiatives_created = serializers.IntegerField(min_value=0)
    initiatives_unchanged = serializers.IntegerField(min_value=0)
    initiatives_extended = serializers.IntegerField(min_value=0)
    phase_changes = serializers.IntegerField(min_value=0)
    assessments = serializers.IntegerField(min_value=0)
    benefits = serializers.IntegerField(min_value=0)
    measurements = serializers.IntegerField(min_value=0)
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text=(
            "What was left as stored, by JSON path (organisation master data that only the "
            "operators change)."))


IMPORT_COUNTS = [name for name in PortfolioImportResultSerializer().fields
                 if name not in ("detail", "warnings")]


class PortfolioImportJobSerializer(serializers.Serializer):
    """A background import (a file larger than PORTFOLIO_IMPORT_SYNC_MAX_BYTES)."""

    id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=JobState.values)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    message = serializers.CharField(allow_blank=True)
    result = PortfolioImportResultSerializer(allow_null=True, help_text="When done.")
    errors = serializers.ListField(child=serializers.CharField(),
                                   help_text="When failed: the refusals, by JSON path.")
    url = serializers.CharField(help_text="Where to follow the job.")
