"""What the workers do with notices, for tests of other apps: run the senders now."""

from notifications import mail
from notifications.models import EmailFrequency


def send_notice_mail(frequency: str = EmailFrequency.DAILY) -> dict:
    """Run the sender of one frequency (default: the daily digest, everyone's default)."""
    return mail.notifications_email(frequency)
