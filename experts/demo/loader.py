"""Load the demo roster. Idempotent: a second run changes nothing.

The people are fictional and their contacts fake (…@demo.kx.invalid). Vetting goes
through `decide()` with the demo moderator, so the roster shows a real decision log.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from experts.demo.exchange_records import ExchangeRecordDemoLoader
from experts.exchanges import create_request, transition
from experts.models import (
    ExchangeRequest,
    ExchangeState,
    ExpertLanguage,
    ExpertLink,
    ExpertProfile,
    Institution,
    ProfileStatus,
    VettingAction,
)
from experts.vetting import decide
from kx_platform.models import Country, Pillar, Region, Theme
from kx_platform.sanitize import clean_text
from practices.demo.loader import demo_password, verify_email
from practices.models import GoodPracticePage

DATA_FILE = Path(__file__).with_name("experts.json")


class RosterDemoLoader:
    def __init__(self, moderator, member, stdout=None):
        self.moderator = moderator
        self.member = member
        self.stdout = stdout
        self.data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        self.profiles = {}

    @transaction.atomic
    def load(self):
        institutions = {item["slug"]: self.institution(item) for item in self.data["institutions"]}
        created = 0
        for item in self.data["experts"]:
            profile, is_new = self.expert(item, institutions)
            self.profiles[item["key"]] = profile
            created += is_new
        requests = self.requests()
        ExchangeRecordDemoLoader(self.member, stdout=self.stdout).load()
        if self.stdout:
            self.stdout.write(
                f"Demo roster: {len(institutions)} institutions, {len(self.profiles)} experts "
                f"({created} created), {requests} exchange requests created."
            )
        return self.profiles

    def requests(self):
        """Requests from the demo member in every state, answered by the experts."""
        if ExchangeRequest.objects.filter(requester=self.member).exists():
            return 0
        for item in self.data["requests"]:
            profile = self.profiles[item["expert"]]
            req = create_request(
                self.member,
                profile,
                topic=item["topic"],
                support_kind=item["support"],
                requesting_country=Country.objects.get(code=item["country"]),
                language=item["language"],
                message=item["message"],
            )
            expert, state, response = profile.user, item["state"], item["response"]
            if state in ("accepted", "completed"):
                transition(req, expert, ExchangeState.ACCEPTED, response, share_email=True)
            if state == "completed":
                transition(req, expert, ExchangeState.COMPLETED, response)
            if state == "declined":
                transition(req, expert, ExchangeState.DECLINED, response)
            if state == "cancelled":
                transition(req, self.member, ExchangeState.CANCELLED)
        return len(self.data["requests"])

    def institution(self, item):
        institution, created = Institution.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "country": Country.objects.get(code=item["country"]),
                "kind": item["kind"],
                "website": item["website"],
                "description": item["description"],
                "is_published": True,
            },
        )
        if created:
            institution.pillars.set(Pillar.objects.filter(number__in=item["pillars"]))
            institution.themes.set(list(Theme.objects.filter(name__in=item["themes"])))
        return institution

    def expert(self, item, institutions):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=item["username"],
            defaults={"email": item["email"], "first_name": item["display_name"][:150]},
        )
        if created:
            if settings.KX_SHOW_DEMO_PASSWORDS:
                user.set_password(demo_password(item["username"]))
            else:
                user.set_unusable_password()
            user.save()
            verify_email(user)
        try:
            return user.expert_profile, False
        except ExpertProfile.DoesNotExist:
            pass
        profile = ExpertProfile.objects.create(
            user=user,
            display_name=item["display_name"],
            professional_title=item["professional_title"],
            organisation=item["organisation"],
            institution=institutions.get(item["institution"]) if item["institution"] else None,
            country=Country.objects.get(code=item["country"]),
            years_of_experience=item["years_of_experience"],
            biography=clean_text(item["biography"]),
            support_kinds=item["support_kinds"],
            availability=item["availability"],
            email=item["email"],
            phone=item["phone"],
            visibility=item.get("visibility", {}),
            status=ProfileStatus.SUBMITTED,
        )
        profile.regions.set(Region.objects.filter(slug__in=item["regions"]))
        profile.pillars.set(Pillar.objects.filter(number__in=item["pillars"]))
        profile.themes.set(list(Theme.objects.filter(name__in=item["themes"])))
        ExpertLanguage.objects.bulk_create(
            ExpertLanguage(profile=profile, language=lang["code"], level=lang["level"])
            for lang in item["languages"]
        )
        ExpertLink.objects.bulk_create(
            ExpertLink(profile=profile, title=link["title"], url=link["url"])
            for link in item["links"]
        )
        self.vet(profile, item)
        if profile.status == ProfileStatus.APPROVED:
            self.link_practices(profile, item["practices"])
        return profile, True

    def vet(self, profile, item):
        status = item["status"]
        if status == "needs_info":
            decide(
                profile,
                self.moderator,
                VettingAction.REQUEST_INFO,
                "Please list the training courses you have led.",
            )
        if status in ("approved", "suspended"):
            decide(profile, self.moderator, VettingAction.APPROVE)
            if item["is_focal_point"]:
                decide(profile, self.moderator, VettingAction.SET_FOCAL_POINT)
        if status == "suspended":
            decide(
                profile,
                self.moderator,
                VettingAction.SUSPEND,
                "Asked by the expert's employer while a review is under way.",
            )
        profile.refresh_from_db()

    def link_practices(self, profile, keys):
        for key in keys:
            for page in GoodPracticePage.objects.filter(slug=slugify(key), live=True):
                page = page.get_latest_revision_as_object()
                page.contact_experts = [*page.contact_experts.all(), profile]
                page.save_revision(user=self.moderator).publish(user=self.moderator)
