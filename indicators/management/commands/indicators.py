"""Operators' command line for the national indicators.

    manage.py indicators compute --year Y [--quarter Q] [--organisation ORGNR]
    manage.py indicators show --year Y [--quarter Q] [--organisation ORGNR] --format json|csv
    manage.py indicators freeze --year Y
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from indicators import selectors, services
from indicators.models import YEAR, IndicatorSnapshot
from portal.errors import DomainError
from portal.exports import SafeCsvWriter
from portal.models import Organisation


class Command(BaseCommand):
    help = "Compute, show or freeze the national innovation indicators."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("compute", "show", "freeze"):
            p = sub.add_parser(name)
            p.add_argument("--year", type=int, required=True)
            if name != "freeze":
                p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
                p.add_argument("--organisation", metavar="ORGNR")
            if name == "show":
                p.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, action, year, **options):
        try:
            getattr(self, action)(year=year, **options)
        except DomainError as error:
            raise CommandError(error.message)

    def _organisation_ids(self, org_number):
        if not org_number:
            return None
        org = Organisation.objects.filter(org_number=org_number).first()
        if org is None:
            raise CommandError(f"Ukjent organisasjonsnummer: {org_number}")
        return [org.pk]

    def compute(self, *, year, quarter=None, organisation=None, **_):
        started = time.perf_counter()
        count = services.indicators_recompute(
            year=year, quarter=quarter or YEAR,
            organisation_ids=self._organisation_ids(organisation))
        self.stderr.write(f"{count} organisations computed in "
                          f"{time.perf_counter() - started:.2f} s")

    def show(self, *, year, quarter=None, organisation=None, format="json", **_):
        snapshots = (IndicatorSnapshot.objects.filter(year=year, quarter=quarter or YEAR)
                     .select_related("organisation", "scheme")
                     .order_by("organisation__org_number"))
        if organisation:
            snapshots = snapshots.filter(organisation__org_number=organisation)
        items = [selectors.snapshot_item(s) for s in snapshots]
        if format == "json":
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=2))
        else:
            # The toolkit's writer: the file may well be opened in a spreadsheet.
            writer = SafeCsvWriter(self.stdout, delimiter=",")
            writer.writerow(selectors.CSV_COLUMNS)
            writer.writerows(selectors.item_to_csv_row(item) for item in items)

    def freeze(self, *, year, **_):
        count = services.indicators_freeze(actor=None, year=year)
        self.stderr.write(f"{count} snapshots of {year} are now final.")
