"""The demo guidebook: the 2026 edition in every language, four chapters (one per
pillar) of three demo practices each. Idempotent: an existing edition is left alone."""

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.models import Locale

from kx_platform.models import Pillar
from practices.models import (
    GoodPracticePage,
    GuidebookChapter,
    GuidebookIndexPage,
    GuidebookPage,
    GuidebookSelection,
)

SLUG = "2026"
YEAR = 2026
# Demo practices (keys of practices.json) by chapter, one chapter per pillar.
CHAPTERS = {
    1: [
        "ma-imam-morchidat-training-africa",
        "ke-county-action-plans-community-policing",
        "co-sport-youth-recruitment-prevention",
    ],
    2: [
        "jo-community-police-prevention-councils",
        "gulf-fiu-typologies-terrorist-financing",
        "caricom-advance-passenger-information-screening",
    ],
    3: [
        "id-prison-disengagement-former-combatant-mentors",
        "ci-centif-west-africa-cooperation",
        "pa-port-container-control-units",
    ],
    4: [
        "tn-specialised-counter-terrorism-judicial-pole",
        "dz-victims-of-terrorism-support-system",
        "iq-victims-registry-exchange-colombia",
    ],
}


def foreword():
    """Called in the edition's language."""
    return _(
        "Countries of the South hold tested experience in counter-terrorism and preventing "
        "violent extremism that other developing countries can use. This guidebook collects "
        "some of it."
    )


def introduction():
    return _(
        "Each chapter presents one pillar of the UN Global Counter-Terrorism Strategy. The "
        "practices were chosen by the moderators after a comment period open to vetted experts."
    )


class GuidebookDemoLoader:
    def __init__(self, moderator, stdout=None):
        self.moderator = moderator
        self.stdout = stdout

    def load(self):
        created = 0
        for locale in Locale.objects.all():
            index = GuidebookIndexPage.objects.filter(locale=locale).first()
            if index is None or GuidebookPage.objects.child_of(index).filter(slug=SLUG).exists():
                continue
            self.edition(index, locale)
            created += 1
        if self.stdout:
            self.stdout.write(f"Demo guidebook: {created} editions created.")

    def edition(self, index, locale):
        from django.utils.text import slugify

        with translation.override(locale.language_code):
            edition = GuidebookPage(
                title=_("Guidebook of good practices"),
                slug=SLUG,
                locale=locale,
                year=YEAR,
                edition_number=1,
                owner=self.moderator,
                foreword=f"<p>{escape(foreword())}</p>",
                introduction=f"<p>{escape(introduction())}</p>",
                live=False,
            )
            chapters = []
            for pillar in Pillar.objects.filter(number__in=CHAPTERS).order_by("number"):
                chapter = GuidebookChapter(
                    title=f"{pillar.roman}. {pillar.short_name}",
                    pillar=pillar,
                    introduction=f"<p>{pillar.name}</p>",
                )
                practices = []
                for key in CHAPTERS[pillar.number]:
                    practice = (
                        GoodPracticePage.objects.live()
                        .filter(slug=slugify(key))
                        .order_by("pk")
                        .first()
                    )
                    if practice:
                        practices.append(GuidebookSelection(practice=practice))
                chapter.selections = practices
                chapters.append(chapter)
            edition.chapters = chapters
        index.add_child(instance=edition)
        edition.save_revision(user=self.moderator).publish(user=self.moderator)
        return edition
