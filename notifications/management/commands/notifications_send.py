"""Send notice e-mails now, as Celery beat does on its schedule (handy in development: with
the console backend the mails are printed)."""

from django.core.management.base import BaseCommand

from notifications import mail
from notifications.models import EmailFrequency

SENDING = [f for f in EmailFrequency.values if f != EmailFrequency.NEVER]


class Command(BaseCommand):
    help = "Send the notice e-mails of one frequency now (immediate, daily or weekly)."

    def add_arguments(self, parser):
        parser.add_argument("frequency", choices=SENDING)

    def handle(self, *args, frequency: str, **options):
        result = mail.notifications_email(frequency)
        self.stderr.write(f"{frequency}: {result['mails']} mails with {result['notices']} "
                          f"notices, {result['failed']} failed.")
