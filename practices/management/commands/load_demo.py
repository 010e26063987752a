from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from experts.demo.loader import RosterDemoLoader
from experts.forum.demo.loader import ForumDemoLoader
from practices.demo.guidebook import GuidebookDemoLoader
from practices.demo.loader import DEMO_USERS, DemoLoader, demo_password


class Command(BaseCommand):
    help = "Load the demo practices and users (idempotent; development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo practices even though DEBUG is off (users get no usable password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("load_demo is for development; pass --allow-production to insist.")
        users = DemoLoader(stdout=self.stdout).load()
        RosterDemoLoader(users["moderator"], users["member"], stdout=self.stdout).load()
        GuidebookDemoLoader(users["moderator"], stdout=self.stdout).load()
        ForumDemoLoader(stdout=self.stdout).load()
        if settings.KX_SHOW_DEMO_PASSWORDS:
            self.stdout.write("\nDemo sign-ins (development only):")
            for username, _first, _last, group, _language, superuser in DEMO_USERS:
                role = "administrator" if superuser else (group or "member").lower()
                self.stdout.write(f"  {username:<10} {demo_password(username):<20} {role}")
            self.stdout.write(
                "  Demo roster experts sign in with their username and kx-demo-<username>,\n"
                "  e.g. expert_sahel / kx-demo-expert_sahel."
            )
            self.stdout.write(
                "The moderator and the administrator must set up two-factor authentication\n"
                "(an authenticator app: TOTP) the first time they sign in."
            )
