"""Value ranges of the numbers people type that feed computed columns (README, "Date policy").

A benefit's yearly NOK value — realised change × NOK per unit × periods per year — is stored
per measurement (gevinst Measurement.nok_per_year, numeric(30, 6): 24 integer digits) and
summed per organisation into the indicator snapshots (realised_nok_per_year, numeric(40, 2)).
The bounds below make every valid input fit: a change is at most 2 × MAX_MEASURE_VALUE
(from −max to +max), so one measurement's yearly value is below
2e12 × 1e8 × 366 ≈ 7.4e22 < 1e24, and an organisation would need more than 10^15 such
benefits to reach the snapshot column's limit. The forms, serializers, services and the
portfolio import all use these numbers (tests/portal/test_dates.py checks the product)."""

from decimal import Decimal

# Baseline, target and measured values (max_digits=14, decimal_places=2).
MAX_MEASURE_VALUE = Decimal("999999999999.99")
# NOK per unit: up to a hundred million kroner (an avoided institutional place is about 1–2 M).
MAX_NOK_PER_UNIT = Decimal("100000000")
# Periods per year: the finest period a benefit is measured in is a day.
MAX_PERIODS_PER_YEAR = Decimal("366")
# The largest yearly NOK value of one measurement the bounds allow.
MAX_NOK_PER_YEAR = 2 * MAX_MEASURE_VALUE * MAX_NOK_PER_UNIT * MAX_PERIODS_PER_YEAR
