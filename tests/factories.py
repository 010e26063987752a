"""factory_boy factories for users and published practices."""

import time

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Locale

from kx_platform.models import Country, Pillar, Region, Theme
from practices.models import GoodPracticePage, PracticeIndexPage

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary e-mail address (allauth), so the user can sign in;
        UserFactory(verified=False) leaves the address unverified."""
        if create and self.email:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """UserFactory(totp=True) gives the user an authenticator app (TOTP_SECRET)."""
        if create and extracted:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(self, TOTP_SECRET)


def totp_code(secret, period=30):
    """The code an authenticator app shows for `secret` (RFC 6238, allauth's defaults).
    Waits for the next period when this one is about to end, so the code stays valid."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


class PracticeFactory(factory.Factory):
    """A good practice under the practice index of its language, published by default.

    Taxonomy is given by natural keys: pillars=[1, 4], countries=["MA"], themes=["Youth"],
    regions=["africa"] (the implementing countries' regions are always added).
    """

    class Meta:
        model = GoodPracticePage

    title = factory.Sequence(lambda n: f"Practice number {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    summary = "A community-based programme that reintegrates former detainees."
    challenge = "<p>Radicalisation in prisons.</p>"
    results = "<p>Fewer people reoffended.</p>"
    human_rights = "<p>Participation is voluntary; women and men are served alike.</p>"
    scale = "bilateral"
    evidence_stage = "tested"
    support_kinds = factory.LazyFunction(lambda: ["training"])
    start_year = 2018
    end_year = None

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        language="en",
        pillars=(1,),
        countries=("KE",),
        partner_countries=(),
        regions=(),
        themes=(),
        live=True,
        owner=None,
        **kwargs,
    ):
        locale = Locale.objects.get(language_code=language)
        index = PracticeIndexPage.objects.get(locale=locale)
        page = model_class(locale=locale, owner=owner, **kwargs)
        page.pillars = list(Pillar.objects.filter(number__in=pillars))
        country_objs = list(Country.objects.filter(code__in=countries))
        page.countries = country_objs
        page.partner_countries = list(Country.objects.filter(code__in=partner_countries))
        region_slugs = set(regions) | {c.region.slug for c in country_objs}
        page.regions = list(Region.objects.filter(slug__in=region_slugs))
        for name in themes:
            theme, _ = Theme.objects.get_or_create(name=name)
            page.themes.add(theme)
        page.live = False
        index.add_child(instance=page)
        revision = page.save_revision(user=owner)
        if live:
            revision.publish()
            page.refresh_from_db()
        return page


def translate(page, language, **fields):
    """Publish a translation of `page` into `language` with some fields replaced."""
    copy = page.copy_for_translation(Locale.objects.get(language_code=language))
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    copy.save_revision().publish()
    copy.refresh_from_db()
    return copy
