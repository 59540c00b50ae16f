from django.core.management.base import BaseCommand, CommandError

from portal.outbox import outbox_flush


class Command(BaseCommand):
    help = ("Publish the Celery messages the outbox kept (Redis was down at commit time, or "
            "the process died before publishing). Exit status 1 if some could not be sent.")

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=float, default=None,
                            help="seconds a never-tried message is left to its own request "
                                 "(default: OUTBOX_GRACE_SECONDS); 0 publishes everything")

    def handle(self, *args, grace=None, **options):
        if grace is not None and grace < 0:
            raise CommandError("--grace must be 0 or more seconds.")
        result = outbox_flush(grace_seconds=grace)
        self.stdout.write(f"Outbox: {result}")
        if result.failed:
            raise CommandError(f"{result.failed} message(s) could not be published; is Redis up?")
