"""Keep what every translation of a practice shares in step with its source.

simple_translation copies a whole page; the classification (pillars, places, themes,
scale, stage, period) is not language-specific, so when one version of a practice is
published its classification is copied onto the other published versions.
"""

from functools import partial

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

SHARED_FIELDS = ("scale", "evidence_stage", "support_kinds", "start_year", "end_year")
SHARED_RELATIONS = ("pillars", "regions", "countries", "partner_countries", "contact_experts")


@receiver(page_published)
def share_classification_with_translations(sender, instance, **kwargs):
    from practices.models import GoodPracticePage

    if not isinstance(instance, GoodPracticePage):
        return
    for other in GoodPracticePage.objects.filter(translation_key=instance.translation_key).exclude(
        pk=instance.pk
    ):
        changed = [f for f in SHARED_FIELDS if getattr(other, f) != getattr(instance, f)]
        for field in changed:
            setattr(other, field, getattr(instance, field))
        if changed:
            other.save(update_fields=changed)
        for relation in SHARED_RELATIONS:
            wanted = set(getattr(instance, relation).values_list("pk", flat=True))
            if set(getattr(other, relation).values_list("pk", flat=True)) != wanted:
                getattr(other, relation).set(wanted)
                other.save()
        wanted_themes = sorted(instance.themes.values_list("name", flat=True))
        if sorted(other.themes.values_list("name", flat=True)) != wanted_themes:
            other.themes.set(list(instance.themes.all()))
            other.save()


def _connect_content_cache():
    """Published content or taxonomy changed: cached counts and vocabularies go stale."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_unpublished, post_page_move

    from kx_platform.content_cache import bump
    from kx_platform.models import Country, Pillar, Region, Theme

    page_published.connect(bump, dispatch_uid="kx-cache-published")
    page_unpublished.connect(bump, dispatch_uid="kx-cache-unpublished")
    post_page_move.connect(bump, dispatch_uid="kx-cache-moved")
    post_delete.connect(bump, sender=Page, dispatch_uid="kx-cache-deleted")
    for model in (PageViewRestriction, Pillar, Region, Country, Theme):
        post_save.connect(bump, sender=model, dispatch_uid=f"kx-cache-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"kx-cache-del-{model.__name__}")


_connect_content_cache()


@receiver(page_published)
def freeze_guidebook_edition(sender, instance, revision=None, **kwargs):
    """A published edition keeps the practices as they were when it was published; its PDF
    is built by the worker once the publication is committed (guidebook_pdf)."""
    from practices.guidebook_content import freeze
    from practices.guidebook_pdf import request_build
    from practices.models import GuidebookPage

    if isinstance(instance, GuidebookPage):
        freeze(instance, revision)
        transaction.on_commit(partial(request_build, instance.pk, instance.locale.language_code))
