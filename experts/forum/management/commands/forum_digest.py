"""Send the forum's daily digest e-mails: `manage.py forum_digest`.

Members who chose "Once a day, in a digest" get one e-mail with everything collected since
the last run (each in their own language); the others are not affected. Run it once a day,
with the production settings and environment the site itself runs with. A run sends only
what is waiting, so running it twice, or late, sends nothing twice.

With cron (`crontab -e` as the user the site runs as; every day at 06:00 server time;
cron mails what the command prints to that user):

  0 6 * * * cd /srv/kx && set -a && . /etc/kx/environment && .venv/bin/python manage.py forum_digest

With a systemd timer, two units (`systemctl enable --now kx-forum-digest.timer`);
`Persistent=true` sends a missed digest when the machine comes back up:

    # /etc/systemd/system/kx-forum-digest.service
    [Unit]
    Description=KX forum: daily digest e-mails
    [Service]
    Type=oneshot
    User=kx
    WorkingDirectory=/srv/kx
    EnvironmentFile=/etc/kx/environment
    ExecStart=/srv/kx/.venv/bin/python manage.py forum_digest

    # /etc/systemd/system/kx-forum-digest.timer
    [Unit]
    Description=KX forum: daily digest e-mails
    [Timer]
    OnCalendar=*-*-* 06:00:00 UTC
    Persistent=true
    [Install]
    WantedBy=timers.target

(/srv/kx, the kx user and /etc/kx/environment, which holds DJANGO_SETTINGS_MODULE and the
other variables of kx_platform/settings/production.py, stand for the deployment's own.)
"""

from django.core.management.base import BaseCommand

from experts.forum.notifications import send_digests


class Command(BaseCommand):
    help = "Send the forum's daily digest e-mails (run once a day: see this module's docstring)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Forum digests sent: {sent}")
