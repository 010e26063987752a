"""Keep what every translation of a practice shares in step with its source.

simple_translation copies a whole page; the classification (pillars, places, themes,
scale, stage, period) is not language-specific, so when one version of a practice is
published its classification is copied onto the other published versions.
"""

from django.dispatch import receiver
from wagtail.signals import page_published

SHARED_FIELDS = ("scale", "evidence_stage", "support_kinds", "start_year", "end_year")
SHARED_RELATIONS = ("pillars", "regions", "countries", "partner_countries")


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
