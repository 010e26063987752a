from django.core.management.base import BaseCommand

from experts.forum.notifications import send_digests


class Command(BaseCommand):
    help = "Send the forum's daily digest e-mails (run once a day, e.g. from cron)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Forum digests sent: {sent}")
