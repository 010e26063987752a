"""Search hits link under the reader's interface language: a discussion in French or a
practice in English found from /ar/search/ opens under /ar/ (practices.reader), labelled
with its own language, instead of switching the interface to another language."""

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from practices.reader import reader_url

REVERSED = {"expert": "expert_detail", "discussion": "forum_thread"}


def localise_hit_urls(hits, language, request=None):
    """Set each hit's `url` to where a reader of `language` opens it (in place)."""
    from practices.models import GoodPracticePage

    practice_ids = [h.object_id for h in hits if h.content_type == "practice"]
    practices = {
        p.pk: p
        for p in GoodPracticePage.objects.live()
        .filter(pk__in=practice_ids)
        .select_related("locale")
    }
    with translation.override(language):
        for hit in hits:
            if hit.content_type == "practice" and hit.object_id in practices:
                hit.url = reader_url(practices[hit.object_id], language, request)
            elif hit.content_type in REVERSED:
                try:
                    hit.url = reverse(REVERSED[hit.content_type], kwargs={"pk": hit.object_id})
                except NoReverseMatch:
                    pass
    return hits
