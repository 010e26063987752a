"""Send the forum's daily digest e-mails: `manage.py forum_digest`.

Members who chose "Once a day, in a digest" get one e-mail with everything collected since
the last run (each in their own language); the others are not affected. A run sends only
what is waiting, so running it twice, or late, sends nothing twice.

`manage.py scheduler` queues it once a day for the worker (KX_DIGEST_TIME, 06:00 UTC by
default; kx_platform.schedule); this command sends them at once, by hand.
"""

from django.core.management.base import BaseCommand

from experts.forum.notifications import send_digests


class Command(BaseCommand):
    help = "Send the forum's daily digest e-mails (run once a day: see this module's docstring)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Forum digests sent: {sent}")
