from django.core.management.base import BaseCommand, CommandError

from portal import consumers


class Command(BaseCommand):
    help = ("Run the consumers of written rows now (portal.consumers): all of them, or those "
            "named. Exit status 1 if a row failed (it stays queued with its error).")

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="consumer names (default: all)")

    def handle(self, *args, names=(), **options):
        known = {c.name for c in consumers.consumers()}
        unknown = sorted(set(names) - known)
        if unknown:
            raise CommandError(f"Unknown consumer(s): {', '.join(unknown)}. "
                               f"Known: {', '.join(sorted(known))}.")
        failed = 0
        for name in names or sorted(known):
            result = consumers.consumer_run(name)
            failed += result.failed
            self.stdout.write(f"{name}: {result}")
        if failed:
            raise CommandError(f"{failed} row(s) failed; see the consumer queue in the admin.")
