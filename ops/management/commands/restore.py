"""Restore a backup made by `manage.py backup` (ops.backup).

    manage.py restore ARCHIVE [--database-url URL] [--media-root DIR] [--force]

Into this site's database and MEDIA_ROOT unless told otherwise. Refuses a database with tables
or a MEDIA_ROOT with files unless --force: stop the web, worker and beat first."""

import environ
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, describe, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by manage.py backup."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database-url", metavar="URL",
                            help="restore into this database instead (created if missing)")
        parser.add_argument("--media-root", metavar="DIR",
                            help="restore the attachments here instead of MEDIA_ROOT")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that has tables and attachments that "
                                 "exist")

    def handle(self, *args, archive, database_url=None, media_root=None, force=False,
               **options):
        database = None
        if database_url:
            try:
                database = environ.Env.db_url_config(database_url)
            except Exception as error:  # noqa: BLE001 - any parse failure is the user's input
                raise CommandError(f"Invalid --database-url: {error}") from None
        try:
            result = restore_backup(archive, database=database, media_root=media_root,
                                    force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"Restored {describe(result.manifest)} in {result.seconds:.1f} s "
                          f"({result.media_files} attachments).")
        if result.unapplied_migrations:
            self.stderr.write(f"This release has {len(result.unapplied_migrations)} migrations "
                              "the backup predates: run `manage.py migrate` next.")
