from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gevinst import selectors
from gevinst.models import (
    Beneficiary,
    Benefit,
    BenefitPlan,
    BenefitStatus,
    BenefitType,
    Direction,
    Measurement,
)
from gevinst.services import UNITS
from initiatives.models import AssessmentKind, BenefitAssessment, Dimension
from portal.dates import happened_date, planned_date
from portal.limits import MAX_NOK_PER_UNIT, MAX_PERIODS_PER_YEAR


class BenefitSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="project.organisation.org_number",
                                         read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True, default=None,
                                  allow_null=True)
    latest_value = serializers.SerializerMethodField()
    latest_on = serializers.SerializerMethodField()
    realised_change = serializers.SerializerMethodField()
    progress_percent = serializers.SerializerMethodField()
    nok_per_year = serializers.SerializerMethodField()
    nok_per_year_formula = serializers.SerializerMethodField()

    class Meta:
        model = Benefit
        fields = ["id", "key", "project", "organisation", "title", "type", "dimension",
                  "beneficiary", "owner", "unit", "direction", "baseline_value", "baseline_on",
                  "baseline_method", "target_value", "target_on", "nok_per_unit",
                  "periods_per_year", "assumptions", "status", "version", "latest_value",
                  "latest_on", "realised_change", "progress_percent", "nok_per_year",
                  "nok_per_year_formula", "created_at", "updated_at"]

    def _row(self, benefit: Benefit):
        cache = self.context.setdefault("_rows", {})
        if benefit.pk not in cache:
            latest = getattr(benefit, "latest_measurements", None)
            if latest is None:
                latest = list(benefit.measurements.filter(valid_until__isnull=True))
            cache[benefit.pk] = selectors.benefit_row(benefit, (latest or [None])[-1])
        return cache[benefit.pk]

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_latest_value(self, benefit) -> str | None:
        row = self._row(benefit)
        return str(row.latest.value) if row.latest else None

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_latest_on(self, benefit) -> str | None:
        row = self._row(benefit)
        return row.latest.measured_on.isoformat() if row.latest else None

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_realised_change(self, benefit) -> str | None:
        value = self._row(benefit).change.value
        return None if value is None else str(value)

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_progress_percent(self, benefit) -> str | None:
        value = self._row(benefit).progress.value
        return None if value is None else str(value)

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True,
                          "description": "NOK per year, a decimal string (money across the "
                                         "API); null without a valuation."})
    def get_nok_per_year(self, benefit) -> str | None:
        value = self._row(benefit).nok_per_year.value
        return None if value is None else str(value)

    def get_nok_per_year_formula(self, benefit) -> str:
        return self._row(benefit).nok_per_year.formula


class BenefitInput(serializers.Serializer):
    project = serializers.IntegerField(help_text="Only on create.")
    title = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=BenefitType.choices)
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    beneficiary = serializers.ChoiceField(choices=Beneficiary.choices, required=False)
    owner = serializers.CharField(required=False, allow_null=True,
                                  help_text="Username of a manager of the project's "
                                            "organisation; null for none.")
    unit = serializers.CharField(max_length=50, help_text="One of: " + ", ".join(UNITS))
    direction = serializers.ChoiceField(choices=Direction.choices)
    baseline_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    baseline_on = serializers.DateField(validators=[happened_date])
    baseline_method = serializers.CharField(required=False, allow_blank=True)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    target_on = serializers.DateField(validators=[planned_date])
    # Bounded so no valuation overflows the computed NOK columns (portal.limits).
    nok_per_unit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                            allow_null=True, max_value=MAX_NOK_PER_UNIT)
    periods_per_year = serializers.DecimalField(max_digits=8, decimal_places=2, required=False,
                                                allow_null=True, max_value=MAX_PERIODS_PER_YEAR)
    assumptions = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=BenefitStatus.choices, required=False)
    version = serializers.IntegerField(
        required=False, help_text="On update: the version you edited; 409 if it moved on.")


class MeasurementSerializer(serializers.ModelSerializer):
    entered_by = serializers.CharField(source="entered_by.username", read_only=True,
                                       default=None, allow_null=True)

    class Meta:
        model = Measurement
        fields = ["id", "benefit", "measured_on", "value", "evidence", "entered_by",
                  "created_at"]


class MeasurementInput(serializers.Serializer):
    measured_on = serializers.DateField(validators=[happened_date])
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.CharField(source="assessor.username", read_only=True, default=None,
                                     allow_null=True)

    class Meta:
        model = BenefitAssessment
        fields = ["id", "dimension", "kind", "score", "assessed_on", "assessor", "motivation",
                  "created_at"]


class AssessmentInput(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    score = serializers.IntegerField(min_value=0, max_value=3)
    assessed_on = serializers.DateField(validators=[happened_date])
    motivation = serializers.CharField(required=False, allow_blank=True, default="")


class BenefitPlanSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(source="approved_by.username", read_only=True,
                                        default=None, allow_null=True)
    next_due_on = serializers.SerializerMethodField()
    # A project without a plan answers an unsaved one (version 0), never saved: no time.
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                           help_text="null while the project has no plan.")

    class Meta:
        model = BenefitPlan
        fields = ["project", "status", "interval_months", "first_due_on", "next_due_on",
                  "notes", "approved_by", "approved_at", "version", "updated_at"]

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_next_due_on(self, plan) -> str | None:
        from django.utils import timezone

        from gevinst.services import next_due_date

        due = next_due_date(plan, timezone.localdate())
        return due.isoformat() if due else None


class BenefitPlanInput(serializers.Serializer):
    interval_months = serializers.IntegerField(min_value=1, max_value=36, allow_null=True)
    first_due_on = serializers.DateField(allow_null=True, validators=[planned_date])
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="The version you edited; 409 if it moved on.")


class BenefitPlanApproveInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="The version you approve; 409 if it moved on.")
