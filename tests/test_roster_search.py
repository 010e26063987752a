"""The expert roster in search: one document per tier and language, read by tier."""

import sqlite3
from collections import Counter

import pytest

from experts.models import ExpertLanguage, ExpertProfile, FieldVisibility, PrivacyPolicy
from experts.privacy import visible_profile_for_tier
from experts.vetting import decide
from kx_platform.models import Country
from search.backends.elastic import bulk_body
from search.documents import ExpertDocument
from search.service import SearchRequest, search, visibility_for
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory, InstitutionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROSTER = "/en/experts/"
SECRET = "Zanzibarite"  # a word only members may read
ARABIC_BIO = "خبيرة في إعادة إدماج العائدين من مناطق النزاع ومنع التطرف العنيف"


@pytest.fixture
def guarded():
    """An approved expert whose biography and organisation are for members and up."""
    institution = InstitutionFactory(name="Coastal Prevention Centre")
    profile = ExpertProfileFactory(
        display_name="Guarded Guide",
        organisation="Hidden Directorate",
        biography=f"Works with {SECRET} fishing communities on early warning.",
        institution=institution,
        regions=["africa"],
        visibility={
            "biography": "members",
            "organisation": "experts",
            "availability": "moderators",
            "institution": "public",
            "languages": "members",
        },
    )
    drain_search()
    return profile


def index_rows(search_index, sql, args=()):
    with sqlite3.connect(search_index.path) as conn:
        return conn.execute(sql, args).fetchall()


def find(text, user=None, language="en", **filters):
    return search(
        SearchRequest(
            text=text,
            language=language,
            filters={"type": ["expert"], **filters},
            user=user,
            per_page=50,
        )
    )


def test_visibility_tiers_by_viewer(member, moderator, admin_user):
    vetted = ExpertProfileFactory().user
    pending = ExpertProfileFactory(status="submitted").user
    assert visibility_for(None) == ["public"]
    assert visibility_for(member) == ["public", "members"]
    assert visibility_for(pending) == ["public", "members"]
    assert visibility_for(vetted) == ["public", "members", "experts"]
    assert visibility_for(moderator) == ["public", "members", "experts", "moderators"]
    assert visibility_for(admin_user) == ["public", "members", "experts", "moderators"]


def test_a_members_only_word_never_reaches_the_public_document(
    guarded, member, search_index, client
):
    public = index_rows(
        search_index,
        "SELECT title, summary, body FROM docs WHERE content_type = 'expert'"
        " AND visibility = 'public'",
    )
    assert public and all(SECRET not in " ".join(row) for row in public)
    assert all("Hidden Directorate" not in " ".join(row) for row in public)
    richer = index_rows(
        search_index, "SELECT visibility FROM docs WHERE body LIKE ?", (f"%{SECRET}%",)
    )
    assert {v for (v,) in richer} == {"members", "experts", "moderators"}

    assert find(SECRET).total == 0
    assert find(SECRET, member).total == 1
    assert find(SECRET, member).hits[0].object_id == guarded.pk
    # The page, the roster and the API say the same to an anonymous visitor.
    assert "Guarded Guide" not in client.get("/en/search/", {"q": SECRET}).content.decode()
    assert "Guarded Guide" not in client.get(ROSTER, {"q": SECRET}).content.decode()
    assert "Guarded Guide" in signed_in(member).get(ROSTER, {"q": SECRET}).content.decode()


def test_contact_details_are_in_no_document(guarded, search_index):
    docs = index_rows(search_index, "SELECT * FROM docs WHERE content_type = 'expert'")
    suggestions = index_rows(search_index, "SELECT text FROM suggest_fts")
    everything = repr(docs) + repr(suggestions)
    assert {row[-1] for row in docs} == {"public", "members", "experts", "moderators"}
    assert guarded.email not in everything
    assert "555 0199" not in everything
    for tier in ExpertDocument.TIERS:
        assert "email" not in visible_profile_for_tier(guarded, tier)
        assert "phone" not in visible_profile_for_tier(guarded, tier)


def test_only_approved_profiles_are_indexed_and_suspension_removes_them(moderator, search_index):
    approved = ExpertProfileFactory(display_name="Approved Adama")
    for status in ("draft", "submitted", "needs_info", "rejected", "suspended"):
        ExpertProfileFactory(display_name=f"Pending {status}", status=status)
    drain_search()

    def indexed():
        rows = index_rows(search_index, "SELECT DISTINCT object_id FROM docs")
        return {pk for (pk,) in rows}

    assert indexed() == {approved.pk}
    decide(approved, moderator, "suspend", reason="Under review")
    drain_search()
    assert indexed() == set()
    assert find("Adama", moderator).total == 0
    decide(approved, moderator, "reinstate")
    drain_search()
    assert indexed() == {approved.pk}
    approved.delete()
    drain_search()
    assert indexed() == set()


def test_a_language_dropped_takes_its_documents_along(search_index):
    profile = ExpertProfileFactory(extras=False, biography="Mentor of mentors.")
    ExpertLanguage.objects.create(profile=profile, language="fr", level="fluent")
    ExpertLanguage.objects.create(profile=profile, language="es", level="basic")
    drain_search()

    def languages():
        rows = index_rows(search_index, "SELECT DISTINCT language FROM docs")
        return {code for (code,) in rows}

    # Working level or better only; languages are public by default.
    assert languages() == {"fr"}
    profile.languages.filter(language="fr").delete()
    drain_search()
    assert languages() == {"en"}


def test_facet_counts_for_experts_equal_the_database(moderator, member):
    kenya, morocco = Country.objects.get(code="KE"), Country.objects.get(code="MA")
    ExpertProfileFactory(pillars=[1, 4], regions=["africa"], country=kenya)
    ExpertProfileFactory(pillars=[4], regions=["arab-states"], country=morocco)
    ExpertProfileFactory(pillars=[2], country=kenya, visibility={"country": "members"})
    ExpertProfileFactory(pillars=[2], country=morocco, status="suspended")
    drain_search()
    approved = ExpertProfile.objects.filter(status="approved")

    facets = ["pillar", "region", "country", "support", "availability", "lang"]
    for viewer, tier in ((None, "public"), (member, "members"), (moderator, "moderators")):
        results = search(SearchRequest(filters={"type": ["expert"]}, facets=facets, user=viewer))
        assert results.total == approved.count()
        pillars = Counter(
            str(n) for p in approved for n in p.pillars.values_list("number", flat=True)
        )
        assert results.facets["pillar"] == dict(pillars)
        regions = Counter(s for p in approved for s in p.regions.values_list("slug", flat=True))
        assert results.facets["region"] == dict(regions)
        countries = Counter(
            visible["country"].code
            for visible in (visible_profile_for_tier(p, tier) for p in approved)
            if "country" in visible
        )
        assert results.facets["country"] == dict(countries)
        assert results.facets["support"] == {"training": 3, "mentoring": 3}
        assert results.facets["lang"] == ({"ar": 3})
    assert search(SearchRequest(filters={"type": ["expert"]}, facets=["country"])).facets[
        "country"
    ] == {"KE": 1, "MA": 1}
    assert search(
        SearchRequest(filters={"type": ["expert"]}, facets=["country"], user=member)
    ).facets["country"] == {"KE": 2, "MA": 1}


def test_the_roster_shows_only_what_each_viewer_may_see(guarded, member, moderator, client):
    vetted = ExpertProfileFactory(display_name="Vetted Viewer").user
    drain_search()
    pages = {
        "anonymous": client.get(ROSTER).content.decode(),
        "member": signed_in(member).get(ROSTER).content.decode(),
        "expert": signed_in(vetted).get(ROSTER).content.decode(),
        "moderator": signed_in(moderator).get(ROSTER).content.decode(),
    }
    for who, html in pages.items():
        assert "Guarded Guide" in html, who
        assert guarded.email not in html and "555 0199" not in html, who
        assert ("Hidden Directorate" in html) == (who in ("expert", "moderator")), who
    # Facets count only what the viewer may read: the guarded availability is for
    # moderators only (the vetted viewer's, by default, for members).
    limited = 'Limited availability <span class="count">({})</span>'
    assert limited.format(1) in pages["member"] and limited.format(1) in pages["expert"]
    assert limited.format(2) in pages["moderator"]
    assert 'id="r-availability-limited"' not in pages["anonymous"]
    # A text search shows a snippet from the viewer's own tiers.
    html = signed_in(member).get(ROSTER, {"q": SECRET}).content.decode()
    assert f"<mark>{SECRET}</mark>" in html


def test_roster_facets_filter_and_paginate(client):
    ExpertProfileFactory(display_name="Pillar Four", pillars=[4], regions=["africa"])
    ExpertProfileFactory(
        display_name="Pillar One", pillars=[1], country=Country.objects.get(code="MA")
    )
    focal = ExpertProfileFactory(display_name="Focal Fatou", support_kinds=["peer_review"])
    ExpertProfile.objects.filter(pk=focal.pk).update(is_focal_point=True)
    ExpertProfile.objects.get(pk=focal.pk).save()
    drain_search()
    html = client.get(ROSTER, {"pillar": "4"}).content.decode()
    assert "Pillar Four" in html and "Pillar One" not in html
    assert "remove this filter" in html  # the chip
    html = client.get(ROSTER, {"focal": "yes"}).content.decode()
    assert "Focal Fatou" in html and "Pillar Four" not in html
    html = client.get(ROSTER, {"support": "peer_review"}).content.decode()
    assert "Focal Fatou" in html and "Pillar One" not in html
    html = client.get(ROSTER, {"country": "MA", "pillar": "4"}).content.decode()
    assert "No expert matches" in html
    html = client.get(ROSTER, {"pillar": "nonsense"}).content.decode()
    assert "were not recognised" in html


def test_an_arabic_query_finds_an_arabic_speaker_by_a_word_of_their_biography(client):
    profile = ExpertProfileFactory(
        display_name="ليلى حداد", biography=ARABIC_BIO, visibility={"biography": "public"}
    )
    ExpertProfileFactory(display_name="Other Expert")
    drain_search()
    results = find("العائدين", language="ar")
    assert [h.object_id for h in results.hits] == [profile.pk]
    assert results.hits[0].language == "ar" and not results.hits[0].cross_language
    response = client.get("/ar/experts/", {"q": "العائدين"})
    html = response.content.decode()
    assert 'dir="rtl"' in html and "ليلى حداد" in html and "Other Expert" not in html


def test_the_api_gives_anonymous_visitors_public_fields_only(guarded, member, client):
    response = client.get("/api/v1/search", {"type": "expert", "q": "Guarded"})
    assert response.status_code == 200
    data = response.json()
    assert [h["title"] for h in data["hits"]] == ["Guarded Guide"]
    assert data["hits"][0]["type"] == "expert"
    text = response.content.decode()
    for private in (SECRET, "Hidden Directorate", guarded.email, "555 0199"):
        assert private not in text
    # Availability is for moderators, languages for members: no anonymous facet counts.
    assert data["facets"]["availability"] == [] and data["facets"]["lang"] == []
    assert client.get("/api/v1/search", {"type": "expert", "q": SECRET}).json()["total"] == 0
    member_data = signed_in(member).get("/api/v1/search", {"type": "expert", "q": SECRET}).json()
    assert member_data["total"] == 1


def test_experts_appear_in_the_global_search(guarded, client):
    html = client.get("/en/search/", {"q": "Guarded"}).content.decode()
    assert "<mark>Guarded</mark> Guide" in html and 'name="type" value="expert"' in html
    assert guarded.get_absolute_url() in html


def test_a_stricter_privacy_policy_reindexes_every_profile(guarded, member):
    assert find(SECRET, member).total == 1
    policy = PrivacyPolicy.load()
    policy.minimum_tiers = {"biography": FieldVisibility.EXPERTS}
    policy.save()
    drain_search()
    assert find(SECRET, member).total == 0
    assert find(SECRET, UserFactory(is_superuser=True)).total == 1


def test_an_unpublished_institution_leaves_the_public_documents(guarded, search_index):
    institution = guarded.institution
    rows = "SELECT summary FROM docs WHERE visibility = 'public'"
    assert any("Coastal Prevention Centre" in s for (s,) in index_rows(search_index, rows))
    institution.is_published = False
    institution.save()
    drain_search()
    assert not any("Coastal Prevention Centre" in s for (s,) in index_rows(search_index, rows))


def test_elasticsearch_deletes_every_stale_document_of_a_profile(guarded):
    prepared = ExpertDocument.prepare(ExpertDocument.get_queryset().get(pk=guarded.pk))
    lines = bulk_body(ExpertDocument, prepared, [guarded.pk], targets=["kx-expert-write"])
    written = {line["index"]["_id"] for line in lines if "index" in line}
    deleted = {line["delete"]["_id"] for line in lines if "delete" in line}
    assert written == {d["id"] for d in prepared}
    assert not written & deleted
    assert written | deleted == set(ExpertDocument.doc_ids(guarded.pk))
    source = ExpertDocument.to_elasticsearch(prepared[0])
    assert (
        source["facet_type"] == ["expert"] and source["translation_key"] == f"expert-{guarded.pk}"
    )


def test_a_rebuild_writes_what_the_outbox_wrote(guarded, search_index, tmp_path):
    from search.backends.embedded import EmbeddedIndex
    from search.documents import DOCUMENTS

    ExpertProfileFactory(display_name="Second Expert")
    drain_search()
    query = "SELECT doc_id, visibility, body FROM docs WHERE content_type = 'expert' ORDER BY 1"
    fresh = EmbeddedIndex(tmp_path / "rebuilt.sqlite3")
    fresh.rebuild(DOCUMENTS.values())
    assert index_rows(fresh, query) == index_rows(search_index, query)
    assert fresh.counts()["expert"] == 2


def test_indexing_and_the_roster_cost_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    from search.backends.embedded import get_index
    from search.outbox import drain

    for _ in range(6):
        ExpertProfileFactory()
    # A fixed number per batch, plus one read of the privacy policy per profile.
    with django_assert_max_num_queries(6 + 12):
        drain(get_index(), "embedded_done")
    with django_assert_max_num_queries(6 + 20):
        assert client.get(ROSTER).status_code == 200


# --- Browsing order and pages ----------------------------------------------------------


def roster_names(client, **query):
    import re

    html = client.get(ROSTER, query).content.decode()
    return list(dict.fromkeys(re.findall(r"Roster [A-Z][a-z]+ \d\d", html)))


def test_browsing_lists_focal_points_first_then_the_newest_approved(client, monkeypatch):
    import datetime

    from django.utils import timezone

    monkeypatch.setattr("experts.views.PER_PAGE", 4)
    now = timezone.now()
    keys = {}
    for i in range(11):
        focal = i in (2, 7, 9)  # approved long ago: listed first all the same
        days = i if i != 5 else 4  # 4 and 5 approved at the same moment: a tie
        name = f"Roster {'Focal' if focal else 'Plain'} {i:02d}"
        ExpertProfileFactory(
            display_name=name,
            is_focal_point=focal,
            approved_at=now - datetime.timedelta(days=days),
            pillars=[1 if i % 2 else 4],
            extras=False,
        )
        keys[name] = (not focal, days)
    drain_search()

    pages = [roster_names(client, page=page) for page in (1, 2, 3)]
    assert [len(names) for names in pages] == [4, 4, 3]
    listed = [name for names in pages for name in names]
    assert sorted(listed) == sorted(keys)  # each expert once: none repeated, none skipped
    assert [keys[name] for name in listed] == sorted(keys[name] for name in listed)
    assert listed[:3] == ["Roster Focal 02", "Roster Focal 07", "Roster Focal 09"]
    assert listed[3] == "Roster Plain 00"
    # Stable: the same again, and for a member (who reads more tiers) too.
    assert [roster_names(client, page=page) for page in (1, 2, 3)] == pages
    member = signed_in(UserFactory())
    assert [roster_names(member, page=page) for page in (1, 2, 3)] == pages
    # Past the end: the last page.
    assert roster_names(client, page=9) == pages[-1]

    # With a filter the same rule holds within the filtered experts.
    odd = [roster_names(client, pillar="1", page=page) for page in (1, 2)]
    odd_listed = [name for names in odd for name in names]
    assert sorted(odd_listed) == sorted(n for n in keys if int(n[-2:]) % 2)
    assert [keys[n] for n in odd_listed] == sorted(keys[n] for n in odd_listed)
    # Focal points only: newest approved first.
    assert roster_names(client, focal="yes") == [
        "Roster Focal 02",
        "Roster Focal 07",
        "Roster Focal 09",
    ]


def test_a_new_approval_comes_first_among_the_others(client, moderator):
    ExpertProfileFactory(display_name="Roster Plain 01", extras=False)
    newcomer = ExpertProfileFactory(display_name="Roster Plain 02", status="submitted")
    decide(newcomer, moderator, "approve")
    newcomer.refresh_from_db()
    assert newcomer.approved_at is not None
    drain_search()
    assert roster_names(client) == ["Roster Plain 02", "Roster Plain 01"]
