"""Load the demo practices and users. Idempotent: a second run changes nothing."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from kx_platform.models import Country, Pillar, Region, Theme
from practices.models import GoodPracticePage, PracticeIndexPage

DATA_FILE = Path(__file__).with_name("practices.json")
# The last practice of the file is left waiting for moderation, to show the queue.
PENDING_COUNT = 1
FIRST_PUBLISHED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

DEMO_USERS = [
    # username, first, last, group, admin language, superuser
    ("admin", "Amina", "Diallo", None, "en", True),
    ("moderator", "Rafael", "Quispe", "Moderators", "en", False),
    ("expert", "Layla", "Haddad", "Experts", "ar", False),
    ("expert2", "Moussa", "Traoré", "Experts", "fr", False),
    ("member", "Priya", "Raman", None, "en", False),
]


def demo_password(username):
    return f"kx-demo-{username}"


def verify_email(user):
    """Demo addresses cannot receive mail: mark them verified so the users can sign in."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def paragraphs_html(paragraphs):
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def approach_blocks(blocks):
    converted = []
    for block in blocks:
        value = block["value"]
        if block["type"] == "paragraph":
            value = paragraphs_html([value])
        converted.append({"type": block["type"], "value": value})
    return converted


def text_fields(data):
    return {
        "title": data["title"],
        "summary": data["summary"],
        "challenge": paragraphs_html(data["challenge"]),
        "approach": approach_blocks(data["approach"]),
        "results": paragraphs_html(data["results"]),
        "lessons": paragraphs_html(data["lessons"]),
        "replicability": paragraphs_html(data["replicability"]),
        "human_rights": paragraphs_html(data["human_rights"]),
    }


class DemoLoader:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.created = 0

    def log(self, message):
        if self.stdout:
            self.stdout.write(message)

    @transaction.atomic
    def load(self):
        users = self.load_users()
        practices = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        experts = [users["expert"], users["expert2"]]
        for position, data in enumerate(practices):
            pending = position >= len(practices) - PENDING_COUNT
            owner = experts[0] if data["language"] == "ar" else experts[position % 2]
            self.load_practice(data, position, owner, users["moderator"], pending)
        self.log(
            f"Demo content: {len(practices)} practices in the file, {self.created} pages created."
        )
        return users

    # --- users ------------------------------------------------------------------------
    def load_users(self):
        User = get_user_model()
        users = {}
        for username, first, last, group, language, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.kx.invalid",
                    "is_superuser": superuser,
                    "is_staff": superuser,
                },
            )
            if created:
                if settings.KX_SHOW_DEMO_PASSWORDS:
                    user.set_password(demo_password(username))
                else:
                    user.set_unusable_password()
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
                profile = UserProfile.get_for_user(user)
                profile.preferred_language = language
                profile.save()
            verify_email(user)
            users[username] = user
        return users

    # --- practices --------------------------------------------------------------------
    def load_practice(self, data, position, owner, moderator, pending):
        slug = slugify(data["key"])
        original = self.ensure_page(
            data, data["language"], slug, position, owner, moderator, pending
        )
        for language, translated in data.get("translations", {}).items():
            if pending:
                continue
            if original.get_translations().filter(locale__language_code=language).exists():
                continue
            copy = original.copy_for_translation(Locale.objects.get(language_code=language))
            for name, value in text_fields(translated).items():
                setattr(copy, name, value)
            copy.slug = slug
            copy.save()
            self.created += 1
            self.publish(copy, owner, moderator, position, offset_days=3)

    def ensure_page(self, data, language, slug, position, owner, moderator, pending):
        locale = Locale.objects.get(language_code=language)
        existing = GoodPracticePage.objects.filter(locale=locale, slug=slug).first()
        if existing:
            return existing
        index = PracticeIndexPage.objects.get(locale=locale)
        page = GoodPracticePage(
            slug=slug,
            owner=owner,
            locale=locale,
            is_demo=True,
            scale=data["scale"],
            evidence_stage=data["stage"],
            support_kinds=data["support"],
            start_year=data["start_year"],
            end_year=data["end_year"],
            organisations=[
                {"type": "organisation", "value": {"name": name, "website": ""}}
                for name in data["organisations"]
            ],
            sources=[{"type": "source", "value": source} for source in data["sources"]],
            **text_fields(data),
        )
        page.pillars = list(Pillar.objects.filter(number__in=data["pillars"]))
        countries = list(Country.objects.filter(code__in=data["countries"]))
        page.countries = countries
        page.partner_countries = list(Country.objects.filter(code__in=data["partner_countries"]))
        region_slugs = set(data["regions"]) | {c.region.slug for c in countries}
        page.regions = list(Region.objects.filter(slug__in=region_slugs))
        page.themes.add(*Theme.objects.filter(name__in=data["themes"]))
        page.live = False
        index.add_child(instance=page)
        self.created += 1
        if pending:
            page.save_revision(user=owner)
            workflow = page.get_workflow()
            if workflow:
                workflow.start(page, owner)
        else:
            self.publish(page, owner, moderator, position)
        return page

    def publish(self, page, owner, moderator, position, offset_days=0):
        revision = page.save_revision(user=owner)
        revision.publish(user=moderator)
        when = FIRST_PUBLISHED + timedelta(days=9 * position + offset_days)
        GoodPracticePage.objects.filter(pk=page.pk).update(
            first_published_at=when, last_published_at=when
        )
