"""Back up the database and the uploaded attachments into one archive (ops.backup).

    manage.py backup [--output PATH]

Safe while the site runs: the database is read as one consistent snapshot."""

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, create_backup, describe


class Command(BaseCommand):
    help = "Back up the database and the uploaded attachments into one archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", metavar="PATH",
                            help="the archive to write (default: BACKUP_DIR/innoportal-"
                                 "<version>-<time>.tar); never overwritten")

    def handle(self, *args, output=None, **options):
        try:
            result = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        database = result.manifest["members"][result.manifest["database"]["file"]]["size"]
        self.stderr.write(f"{describe(result.manifest)}\n"
                          f"database {database / 1e6:.1f} MB, archive {result.size / 1e6:.1f} "
                          f"MB, {result.seconds:.1f} s")
        self.stdout.write(str(result.path))
