"""The expert roster: application, vetting, privacy tiers, photos, admin queue."""

import io
import os
import struct
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from experts.forms import ExpertProfileForm
from experts.models import ExpertProfile, FieldVisibility, PrivacyPolicy, VettingDecision
from experts.privacy import visible_profile
from experts.vetting import decide
from kx_platform.models import Country
from tests.conftest import drain_search, signed_in
from tests.expert_factories import ExpertProfileFactory, InstitutionFactory, image_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

APPLY = "/en/experts/apply/"
ROSTER = "/en/experts/"
SCRIPT = "<script>alert('x')</script>"
ARABIC_BIO = "خبيرة في إعادة إدماج العائدين ومنع التطرف العنيف"


def application(**overrides):
    data = {
        "display_name": "Layla Haddad",
        "professional_title": "Researcher on prison rehabilitation",
        "organisation": "Centre for Rehabilitation Studies",
        "institution": "",
        "country": "JO",
        "regions": ["arab-states"],
        "pillars": ["1", "4"],
        "themes": "youth, counter-narratives",
        "years_of_experience": "12",
        "biography": ARABIC_BIO,
        "support_kinds": ["training", "peer_review"],
        "availability": "available",
        "email": "layla.private@example.org",
        "phone": "+962 6 555 0100",
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "12",
        "languages-0-language": "ar",
        "languages-0-level": "native",
        "languages-1-language": "en",
        "languages-1-level": "fluent",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "10",
        "links-0-title": "Study of returnees",
        "links-0-url": "https://example.org/study",
        "visibility_organisation": "public",
        "visibility_institution": "public",
        "visibility_country": "public",
        "visibility_biography": "public",
        "visibility_photo": "members",
        "visibility_links": "public",
        "visibility_languages": "public",
        "visibility_years_of_experience": "public",
        "visibility_availability": "public",
        "action": "submit",
    }
    data.update(overrides)
    return data


def pillar_pks(numbers):
    from kx_platform.models import Pillar

    return [str(p.pk) for p in Pillar.objects.filter(number__in=numbers)]


def post_application(client, **overrides):
    overrides.setdefault("pillars", pillar_pks([1, 4]))
    return client.post(APPLY, application(**overrides))


def region_pk(slug):
    from kx_platform.models import Region

    return str(Region.objects.get(slug=slug).pk)


# --- Application -----------------------------------------------------------------------


def test_apply_needs_sign_in(client):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_member_submits_an_application(member):
    client = signed_in(member)
    assert client.get(APPLY).status_code == 200
    response = post_application(client, regions=[region_pk("arab-states")])
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = ExpertProfile.objects.get(user=member)
    assert profile.status == "submitted"
    assert profile.submitted_at is not None
    assert profile.biography == ARABIC_BIO
    assert [lang.language for lang in profile.languages.all()] == ["ar", "en"]
    assert profile.links.get().url == "https://example.org/study"
    assert sorted(t.name.lower() for t in profile.themes.all()) == ["counter-narratives", "youth"]
    assert profile.visibility["photo"] == "members"
    assert not profile.user.groups.filter(name="Experts").exists()
    # Submitted profiles are not editable until moderators decide.
    assert "with the moderators" in client.get(APPLY).content.decode()


def test_saving_as_draft_keeps_the_draft(member):
    client = signed_in(member)
    post_application(client, regions=[], action="save")
    assert ExpertProfile.objects.get(user=member).status == "draft"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "x" * 151),
        ("professional_title", "x" * 201),
        ("organisation", "x" * 201),
        ("biography", "x" * 5001),
        ("years_of_experience", "71"),
        ("phone", "call me maybe"),
        ("email", "not-an-email"),
        ("themes", "t" * 101),
        ("links-0-url", "javascript:alert(1)"),
        ("links-0-title", "x" * 201),
        ("languages-1-language", "ar"),  # listed twice
        ("languages-1-language", "xx"),
        ("support_kinds", ["bribery"]),
    ],
)
def test_invalid_applications_are_redisplayed_and_nothing_is_saved(member, field, value):
    client = signed_in(member)
    response = post_application(client, regions=[], **{field: value})
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert not ExpertProfile.objects.filter(user=member).exists()


def test_a_failing_formset_saves_no_half_written_profile(member):
    client = signed_in(member)
    post_application(client, regions=[], **{"links-0-url": "not a url"})
    assert not ExpertProfile.objects.exists()


def test_html_in_text_fields_is_stored_as_text_and_escaped_everywhere(member, moderator):
    client = signed_in(member)
    response = post_application(
        client,
        regions=[],
        display_name=f"Eve {SCRIPT}",
        professional_title=SCRIPT,
        organisation=SCRIPT,
        biography=f"{SCRIPT}\n<b>bold</b>",
        themes="youth",
        **{"links-0-title": SCRIPT},
    )
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(user=member)
    # Biographies go through kx_platform.sanitize.clean_text: tags are taken out.
    assert profile.biography.startswith("alert('x')") and "<" not in profile.biography
    decide(profile, moderator, "approve")
    pages = [
        (client, APPLY),
        (client, profile.get_absolute_url()),
        (signed_in(moderator), profile.get_absolute_url()),
        (signed_in(moderator), f"/admin/experts/vetting/{profile.pk}/"),
        (signed_in(moderator), "/admin/experts/vetting/?status=approved"),
        (client, ROSTER),
    ]
    for viewer, url in pages:
        html = viewer.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<b>bold</b>" not in html, url
    assert "&lt;script&gt;" in client.get(profile.get_absolute_url()).content.decode()


# --- Vetting ---------------------------------------------------------------------------


def test_approval_logs_the_decision_and_adds_the_experts_group(moderator):
    profile = ExpertProfileFactory(status="submitted")
    decision = decide(profile, moderator, "approve")
    profile.refresh_from_db()
    assert profile.status == "approved"
    assert profile.user.groups.filter(name="Experts").exists()
    assert decision.moderator == moderator
    assert decision.created_at is not None
    assert (decision.status_before, decision.status_after) == ("submitted", "approved")


@pytest.mark.parametrize("action", ["reject", "request_info"])
def test_reject_and_request_info_need_a_reason(moderator, action):
    profile = ExpertProfileFactory(status="submitted")
    with pytest.raises(ValidationError):
        decide(profile, moderator, action, "   ")
    assert not VettingDecision.objects.exists()
    decide(profile, moderator, action, "Please name your employer.")
    profile.refresh_from_db()
    assert profile.status == {"reject": "rejected", "request_info": "needs_info"}[action]
    assert profile.decisions.get().reason == "Please name your employer."


def test_suspend_removes_the_group_and_reinstate_restores_it(moderator):
    profile = ExpertProfileFactory(status="submitted")
    decide(profile, moderator, "approve")
    with pytest.raises(ValidationError):
        decide(profile, moderator, "suspend", "")
    decide(profile, moderator, "suspend", "Misused the forum.")
    assert not profile.user.groups.filter(name="Experts").exists()
    assert profile.status == "suspended"
    decide(profile, moderator, "reinstate")
    assert profile.user.groups.filter(name="Experts").exists()
    actions = list(profile.decisions.order_by("pk").values_list("action", "moderator__username"))
    assert actions == [
        ("approve", "moderator"),
        ("suspend", "moderator"),
        ("reinstate", "moderator"),
    ]


def test_invalid_transitions_are_refused(moderator):
    draft = ExpertProfileFactory(status="draft")
    for action in ("approve", "reject", "suspend", "reinstate", "set_focal_point"):
        with pytest.raises(ValidationError):
            decide(draft, moderator, action, "because")
    approved = ExpertProfileFactory()
    with pytest.raises(ValidationError):
        decide(approved, moderator, "approve")
    with pytest.raises(ValidationError):
        decide(approved, moderator, "unset_focal_point")
    with pytest.raises(ValidationError):
        decide(approved, moderator, "delete_everything")
    assert not VettingDecision.objects.exists()


def test_focal_point_is_set_by_moderators_only(moderator, member):
    profile = ExpertProfileFactory()
    with pytest.raises(PermissionDenied):
        decide(profile, member, "set_focal_point")
    decide(profile, moderator, "set_focal_point")
    profile.refresh_from_db()
    assert profile.is_focal_point
    decide(profile, moderator, "unset_focal_point")
    profile.refresh_from_db()
    assert not profile.is_focal_point
    # The form has no focal-point field: an expert cannot set it on themself.
    assert "is_focal_point" not in ExpertProfileForm().fields


def test_moderators_cannot_vet_themselves(moderator):
    profile = ExpertProfileFactory(user=moderator, status="submitted")
    with pytest.raises(PermissionDenied):
        decide(profile, moderator, "approve")


# --- Roster and pages ------------------------------------------------------------------


def test_only_approved_profiles_are_listed(client, moderator):
    shown = ExpertProfileFactory(display_name="Approved Amal")
    for status in ("draft", "submitted", "needs_info", "rejected", "suspended"):
        ExpertProfileFactory(display_name=f"Hidden {status}", status=status)
    drain_search()
    html = client.get(ROSTER).content.decode()
    assert "Approved Amal" in html
    assert "Hidden" not in html
    assert client.get(shown.get_absolute_url()).status_code == 200
    hidden = ExpertProfile.objects.get(display_name="Hidden submitted")
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert signed_in(hidden.user).get(hidden.get_absolute_url()).status_code == 200
    assert signed_in(moderator).get(hidden.get_absolute_url()).status_code == 200
    assert signed_in(UserFactory()).get(hidden.get_absolute_url()).status_code == 404


def test_roster_filters(client):
    ExpertProfileFactory(display_name="Pillar Four", pillars=[4], regions=["africa"])
    ExpertProfileFactory(
        display_name="Pillar One",
        pillars=[1],
        country=Country.objects.get(code="MA"),
    )
    drain_search()
    html = client.get(ROSTER, {"pillar": "4"}).content.decode()
    assert "Pillar Four" in html and "Pillar One" not in html
    html = client.get(ROSTER, {"region": "africa"}).content.decode()
    assert "Pillar Four" in html and "Pillar One" not in html
    html = client.get(ROSTER, {"country": "MA"}).content.decode()
    assert "Pillar One" in html and "Pillar Four" not in html


def test_a_hidden_country_is_not_revealed_by_the_country_filter(client, member):
    ExpertProfileFactory(display_name="Quiet Expert", visibility={"country": "members"})
    drain_search()
    html = client.get(ROSTER, {"country": "KE"}).content.decode()
    assert "Quiet Expert" not in html
    # The roster's facets count only what the viewer may see: no expert is counted for
    # Kenya (the value the visitor chose stays checked, with 0, so they can undo it).
    assert "(1)" not in html.split('id="r-country-KE"')[1].split("</li>")[0]
    assert 'value="KE"' not in client.get(ROSTER).content.decode()
    assert "Quiet Expert" in signed_in(member).get(ROSTER, {"country": "KE"}).content.decode()


def test_institutions_and_their_experts(client):
    institution = InstitutionFactory(name="Hedayah-like Centre")
    InstitutionFactory(name="Unpublished Centre", is_published=False)
    ExpertProfileFactory(display_name="Listed Expert", institution=institution)
    ExpertProfileFactory(
        display_name="Hidden Affiliation",
        institution=institution,
        visibility={"institution": "members"},
    )
    ExpertProfileFactory(display_name="Pending Expert", institution=institution, status="submitted")
    html = client.get("/en/institutions/").content.decode()
    assert "Hedayah-like Centre" in html and "Unpublished Centre" not in html
    html = client.get(f"/en/institutions/{institution.slug}/").content.decode()
    assert "Listed Expert" in html
    assert "Hidden Affiliation" not in html
    assert "Pending Expert" not in html
    assert client.get("/en/institutions/centre-unknown/").status_code == 404


def test_roster_pages_render_in_arabic(client):
    ExpertProfileFactory(display_name="ليلى حداد", biography=ARABIC_BIO)
    drain_search()
    response = client.get("/ar/experts/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
    assert "ليلى حداد" in response.content.decode()


# --- Privacy ---------------------------------------------------------------------------


@pytest.fixture
def private_expert():
    return ExpertProfileFactory(
        display_name="Private Person",
        organisation="Secret Service Unit",
        biography="Biography for members only.",
        years_of_experience=23,
        phone="+254 20 777 0123",
        visibility={
            "organisation": "experts",
            "biography": "members",
            "years_of_experience": "public",
            "links": "moderators",
            "availability": "public",
            "country": "public",
            "languages": "experts",
        },
    )


def viewers(private_expert, member, moderator):
    vetted = ExpertProfileFactory(display_name="Vetted Viewer").user
    return {
        "anonymous": None,
        "member": member,
        "expert": vetted,
        "moderator": moderator,
        "owner": private_expert.user,
    }


EXPECTED = {
    # viewer: (sees organisation, sees biography, sees links, sees languages, sees contact)
    "anonymous": (False, False, False, False, False),
    "member": (False, True, False, False, False),
    "expert": (True, True, False, True, False),
    "moderator": (True, True, True, True, True),
    "owner": (True, True, True, True, True),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_tier_sees_exactly_its_fields(private_expert, member, moderator, client, who):
    viewer = viewers(private_expert, member, moderator)[who]
    browser = signed_in(viewer) if viewer else client
    html = browser.get(private_expert.get_absolute_url()).content.decode()
    organisation, biography, links, languages, contact = EXPECTED[who]
    assert "Private Person" in html
    assert "23" in html  # public years of experience
    assert ("Secret Service Unit" in html) == organisation
    assert ("Biography for members only." in html) == biography
    assert ("Report on reintegration" in html) == links
    assert ("(Native)" in html) == languages
    assert (private_expert.email in html) == contact
    assert ("777 0123" in html) == contact


def test_contact_details_never_appear_for_non_moderators(private_expert, member, client):
    vetted = ExpertProfileFactory(display_name="Another Expert").user
    drain_search()
    urls = [ROSTER, private_expert.get_absolute_url(), "/en/institutions/", APPLY]
    for browser in (client, signed_in(member), signed_in(vetted)):
        for url in urls:
            html = browser.get(url).content.decode()
            assert private_expert.email not in html, url
            assert "777 0123" not in html, url
    data = visible_profile(private_expert, member)
    assert "email" not in data and "phone" not in data


def test_moderators_minimum_tier_applies_to_existing_profiles(private_expert, client):
    assert "23" in client.get(private_expert.get_absolute_url()).content.decode()
    policy = PrivacyPolicy.load()
    policy.minimum_tiers = {"years_of_experience": FieldVisibility.MEMBERS}
    policy.save()
    assert "years_of_experience" not in visible_profile(private_expert, None)


def test_moderators_minimum_tier_is_enforced_on_the_form(member):
    policy = PrivacyPolicy.load()
    policy.minimum_tiers = {"biography": FieldVisibility.EXPERTS}
    policy.save()
    client = signed_in(member)
    html = client.get(APPLY).content.decode()
    assert 'name="visibility_biography"' in html
    response = post_application(client, regions=[], visibility_biography="members")
    assert response.status_code == 200
    assert not ExpertProfile.objects.exists()
    # The default policy keeps photos at least for members.
    policy.minimum_tiers = {}
    policy.save()
    response = post_application(client, regions=[], visibility_photo="public")
    assert response.status_code == 200
    assert not ExpertProfile.objects.exists()


def test_unknown_visibility_values_fail_closed(client):
    profile = ExpertProfileFactory(visibility={"biography": "everyone!"})
    assert "biography" not in visible_profile(profile, None)


# --- Photos ----------------------------------------------------------------------------


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_with_declared_size(width, height):
    """A tiny PNG whose header claims an enormous image (a decompression bomb)."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def photo_errors(member, photo):
    client = signed_in(member)
    data = application(pillars=pillar_pks([1]), regions=[], photo=photo)
    response = client.post(APPLY, data)
    assert response.status_code == 200
    assert not ExpertProfile.objects.exists()
    return response.context["form"].errors["photo"]


def test_a_valid_photo_is_stored_without_metadata_and_served_by_tier(member, moderator, client):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera maker
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    browser = signed_in(member)
    data = application(pillars=pillar_pks([1]), regions=[])
    data["photo"] = upload("me.jpeg", buffer.getvalue(), "image/jpeg")
    assert browser.post(APPLY, data).status_code == 302
    profile = ExpertProfile.objects.get(user=member)
    assert profile.photo.name.startswith("experts/photos/")
    assert "me" not in profile.photo.name.rsplit("/", 1)[1]
    with Image.open(profile.photo.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
    decide(profile, moderator, "approve")
    photo_url = f"/en/experts/{profile.pk}/photo/"
    assert client.get(photo_url).status_code == 404  # photo is for members
    assert photo_url not in client.get(profile.get_absolute_url()).content.decode()
    other = signed_in(UserFactory())
    assert other.get(photo_url).status_code == 200
    assert photo_url in other.get(profile.get_absolute_url()).content.decode()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_accepted(member, fmt):
    browser = signed_in(member)
    data = application(pillars=pillar_pks([1]), regions=[])
    data["photo"] = upload(f"me.{fmt.lower()}", image_bytes(fmt), f"image/{fmt.lower()}")
    assert browser.post(APPLY, data).status_code == 302


def test_a_text_file_renamed_png_is_refused(member):
    errors = photo_errors(member, upload("notes.png", b"just some text, not an image"))
    assert "JPEG, PNG or WebP" in errors[0]


def test_a_gif_is_refused(member):
    errors = photo_errors(member, upload("anim.gif", image_bytes("GIF"), "image/gif"))
    assert "JPEG, PNG or WebP" in errors[0]


def test_a_decompression_bomb_is_refused(member):
    errors = photo_errors(member, upload("bomb.png", png_with_declared_size(100_000, 100_000)))
    assert "unsafe" in errors[0]


def test_too_many_pixels_is_refused(member):
    errors = photo_errors(member, upload("wide.png", image_bytes("PNG", size=(4001, 10))))
    assert "4000" in errors[0]


def test_a_bomb_just_over_pillows_warning_threshold_is_refused(member):
    # 10,000 x 10,000 = 100 M pixels: Pillow only warns (its error starts at twice that).
    errors = photo_errors(member, upload("bomb.png", png_with_declared_size(10_000, 10_000)))
    assert "unsafe" in errors[0]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("tall.png", image_bytes("PNG", size=(10, 4001)), "image/png", "4000"),
        ("huge.jpg", image_bytes("JPEG", size=(4001, 4001)), "image/jpeg", "4000"),
        ("declared.png", png_with_declared_size(5000, 5000), "image/png", "4000"),
        ("cut.png", image_bytes("PNG", size=(300, 300))[:200], "image/png", "JPEG, PNG or WebP"),
        (
            "face.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
            "JPEG, PNG or WebP",
        ),
        (
            "face.jpg",
            b"<html><script>alert(1)</script></html>",
            "image/jpeg",
            "JPEG, PNG or WebP",
        ),
        ("scan.bmp", image_bytes("BMP"), "image/bmp", "JPEG, PNG or WebP"),
        ("scan.tiff", image_bytes("TIFF"), "image/tiff", "JPEG, PNG or WebP"),
        ("empty.png", b"", "image/png", ""),
    ],
)
def test_bad_uploads_are_refused_with_a_message(member, name, content, content_type, message):
    errors = photo_errors(member, upload(name, content, content_type))
    assert errors and message in errors[0]


def test_a_script_named_photo_is_stored_under_a_random_image_name(member):
    browser = signed_in(member)
    data = application(pillars=pillar_pks([1]), regions=[])
    data["photo"] = upload("shell.php", image_bytes("PNG"), "application/x-php")
    assert browser.post(APPLY, data).status_code == 302
    name = ExpertProfile.objects.get(user=member).photo.name
    assert name.endswith(".png") and "shell" not in name


def test_more_than_5_mb_is_refused(member):
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 5 * 1024 * 1024
    errors = photo_errors(member, upload("big.png", buffer.getvalue()))
    assert "5 MB" in errors[0]


# --- Admin -----------------------------------------------------------------------------


def test_vetting_admin_is_denied_to_experts_and_members(expert, member, client):
    profile = ExpertProfileFactory(status="submitted")
    for url in ("/admin/experts/vetting/", f"/admin/experts/vetting/{profile.pk}/"):
        # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
        denied = signed_in(expert).get(url)
        assert denied.status_code in (302, 403)
        assert denied.status_code == 403 or denied["Location"] == "/admin/"
        assert signed_in(member).get(url).status_code in (302, 403)
        assert client.get(url).status_code == 302
    response = signed_in(expert).post(
        f"/admin/experts/vetting/{profile.pk}/", {"action": "approve"}
    )
    assert response.status_code in (302, 403)
    profile.refresh_from_db()
    assert profile.status == "submitted"
    assert not VettingDecision.objects.exists()


def test_moderator_vets_through_the_admin(moderator):
    profile = ExpertProfileFactory(status="submitted", display_name="Queue Person")
    browser = signed_in(moderator)
    html = browser.get("/admin/experts/vetting/").content.decode()
    assert "Queue Person" in html
    url = f"/admin/experts/vetting/{profile.pk}/"
    page = browser.get(url).content.decode()
    assert profile.email in page  # moderators see contact details
    response = browser.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    assert (
        browser.post(url, {"action": "request_info", "reason": "Which ministry?"}).status_code
        == 302
    )
    profile.refresh_from_db()
    assert profile.status == "needs_info"
    assert browser.post(url, {"action": "approve", "reason": ""}).status_code == 302
    profile.refresh_from_db()
    assert profile.status == "approved"
    assert "Which ministry?" in browser.get(url).content.decode()


def test_superuser_may_vet(admin_user):
    profile = ExpertProfileFactory(status="submitted")
    assert signed_in(admin_user).get(f"/admin/experts/vetting/{profile.pk}/").status_code == 200


def test_moderators_manage_institutions_and_the_privacy_policy(moderator):
    browser = signed_in(moderator)
    assert browser.get("/admin/snippets/experts/institution/").status_code == 200
    assert browser.get("/admin/snippets/experts/institution/add/").status_code == 200
    group = Group.objects.get(name="Moderators")
    assert group.permissions.filter(codename="change_privacypolicy").exists()
    response = browser.get("/admin/settings/experts/privacypolicy/", follow=True)
    assert response.status_code == 200
    assert 'name="minimum_photo"' in response.content.decode()


def test_expert_cannot_manage_institutions(expert):
    assert signed_in(expert).get("/admin/snippets/experts/institution/").status_code in (302, 403)


def test_moderator_raises_a_minimum_tier_in_the_settings(moderator):
    browser = signed_in(moderator)
    url = browser.get("/admin/settings/experts/privacypolicy/", follow=True).redirect_chain[-1][0]
    data = {f"minimum_{name}": "public" for name in PrivacyPolicy().minimums()}
    data["minimum_biography"] = "experts"
    response = browser.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PrivacyPolicy.load().minimum_for("biography") == "experts"
