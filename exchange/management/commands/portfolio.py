"""Import or export the portfolio exchange format (innoportal-portfolio/1).

    manage.py portfolio import FILE
    manage.py portfolio export [--organisation ORGNR]      (to standard output)
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from exchange.exporter import export_portfolio
from exchange.importer import ImportFailed, import_portfolio
from exchange.services import check_size
from portal.errors import DomainError
from portal.models import Organisation


class Command(BaseCommand):
    help = "Import or export the portfolio exchange format."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import")
        imp.add_argument("file")
        exp = sub.add_parser("export")
        exp.add_argument("--organisation", metavar="ORGNR")

    def handle(self, *args, action, **options):
        if action == "import":
            return self.do_import(options["file"])
        return self.do_export(options.get("organisation"))

    def do_import(self, path):
        started = time.perf_counter()
        # Every refusal is a message naming the file or the JSON path (exit code 1), never a
        # traceback; the import's memory does not depend on the file's nesting or size
        # (exchange.reader), and the size has the same bound as an upload.
        try:
            check_size(os.path.getsize(path))
            with open(path, "rb") as source:
                result = import_portfolio(source)
        except FileNotFoundError:
            raise CommandError(f"Fant ikke filen {path}") from None
        except OSError as error:
            raise CommandError(f"Kan ikke lese {path}: {error.strerror or error}") from None
        except ImportFailed as failure:
            for message in failure.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(failure.messages)} feil; ingenting er importert.") from None
        except DomainError as error:
            raise CommandError(f"{error.message} (PORTFOLIO_IMPORT_MAX_BYTES); ingenting er "
                               "importert.") from None
        if connection.vendor == "postgresql" and result.initiatives_created > 1000:
            # A large import changes the tables' statistics; without them the planner picks
            # nested loops for the indicator job until autovacuum catches up.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stderr.write(f"{result.summary()} ({time.perf_counter() - started:.1f} s)")

    def do_export(self, org_number):
        organisations = None
        if org_number:
            organisations = Organisation.objects.filter(org_number=org_number)
            if not organisations.exists():
                raise CommandError(f"Ukjent organisasjonsnummer: {org_number}")
        out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
        for piece in export_portfolio(organisations=organisations):
            out.write(piece)
        out.write("\n")
