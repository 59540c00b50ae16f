"""Demo indicators: the snapshots of every demo year, computed once the demo history is in."""

from django.utils import timezone

from indicators.services import indicators_recompute

FIRST_DEMO_YEAR = 2023


def load(*, home, neighbour, stdout) -> None:
    this_year = timezone.localdate().year
    for year in range(FIRST_DEMO_YEAR, this_year + 1):
        indicators_recompute(year=year)
    stdout.write(f"Demo indicators computed {FIRST_DEMO_YEAR}–{this_year}.")
