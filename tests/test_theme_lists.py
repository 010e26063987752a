"""Themes typed as lists in any language (issue 11, item 10): Arabic, Latin and full-width
separators, names matched to existing themes in every language, multilingual admin
autocomplete (kx_platform.themes)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from experts.forms import ExpertProfileForm
from experts.models import ExpertProfile
from kx_platform.models import Theme
from kx_platform.themes import edit_string_for_tags, parse_tag_list
from practices.models import GoodPracticePage
from tests.conftest import signed_in
from tests.factories import PracticeFactory
from tests.test_experts import application, pillar_pks
from tests.test_moderation import submit_practice

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/tag-autocomplete/kx_platform/theme/"


def theme_names(manager):
    return sorted(theme.name for theme in manager.all())


def apply(client, themes, **overrides):
    """The expert application (tests.test_experts) with these typed themes."""
    data = application(themes=themes, regions=[], pillars=pillar_pks([1]), **overrides)
    return client.post("/en/experts/apply/", data)


def prefer_language(user, code):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = code
    profile.save()


# --- The list syntax -------------------------------------------------------------------


def test_an_arabic_list_separated_by_the_arabic_comma_gives_two_themes():
    assert parse_tag_list("الشباب، التعليم") == ["التعليم", "الشباب"]


def test_latin_arabic_and_full_width_commas_and_semicolons_all_separate():
    typed = "Youth; Education，Border security؛ تمويل الإرهاب, Criminal justice；Gender、Victims"
    assert parse_tag_list(typed) == [
        "Border security",
        "Criminal justice",
        "Education",
        "Gender",
        "Victims",
        "Youth",
        "تمويل الإرهاب",
    ]


def test_the_admin_widgets_quoted_chunk_is_still_split_at_the_arabic_comma():
    # Wagtail's tag widget wraps a typed tag holding a space in double quotes.
    assert parse_tag_list('"الشباب، التعليم", "Community policing"') == [
        "Community policing",
        "التعليم",
        "الشباب",
    ]


def test_spaces_do_not_split_a_theme_and_quotes_group_words():
    assert parse_tag_list("Community policing") == ["Community policing"]
    assert parse_tag_list('"Community policing" Youth') == ["Community policing", "Youth"]
    assert parse_tag_list("  Youth ,, youth ,\u200fYouth\u200f ") == ["Youth"]
    assert parse_tag_list("") == []


def test_themes_are_written_back_in_the_readers_language_and_parse_back():
    themes = list(Theme.objects.filter(name__in=["Youth", "Community policing"]))
    with translation.override("ar"):
        text = edit_string_for_tags(themes)
        assert text == '"الشرطة المجتمعية", الشباب'
    assert parse_tag_list(text) == ["الشباب", "الشرطة المجتمعية"]


def test_a_theme_name_cannot_hold_a_separator():
    theme = Theme(name="Youth and sport", slug="youth-and-sport", name_ar="الشباب، والرياضة")
    with pytest.raises(ValidationError) as error:
        theme.full_clean()
    assert "name_ar" in error.value.message_dict


# --- The expert application ------------------------------------------------------------


def test_an_arabic_list_in_the_application_links_the_existing_themes(member):
    before = Theme.objects.count()
    response = apply(signed_in(member), "الشباب، التعليم")
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = ExpertProfile.objects.get(user=member)
    assert theme_names(profile.themes) == ["Education", "Youth"]
    assert Theme.objects.count() == before


def test_names_match_whatever_the_hamza_accents_or_case(member):
    before = Theme.objects.count()
    typed = "امن الحدود؛ éducation, JEUNESSE، contranarrativas"
    response = apply(signed_in(member), typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = ExpertProfile.objects.get(user=member)
    assert theme_names(profile.themes) == [
        "Border security",
        "Counter-narratives",
        "Education",
        "Youth",
    ]
    assert Theme.objects.count() == before


def test_a_new_theme_is_created_once_without_the_separator(member):
    response = apply(signed_in(member), "الأمن المائي، الشباب")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Theme.objects.filter(name="الأمن المائي").count() == 1
    assert not Theme.objects.filter(name__contains="،").exists()


def test_the_application_shows_the_experts_themes_in_the_readers_language(member):
    client = signed_in(member)
    apply(client, "Youth, Education", action="draft")
    page = client.get("/ar/experts/apply/").content.decode()
    assert "التعليم, الشباب" in page


# --- The admin practice form -----------------------------------------------------------


def test_an_arabic_list_in_the_practice_form_links_the_existing_themes(expert_client):
    before = Theme.objects.count()
    response = submit_practice(expert_client, themes='"الشباب، التعليم"; Border security')
    assert response.status_code == 302, response.content.decode()[:2000]
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    assert theme_names(page.themes) == ["Border security", "Education", "Youth"]
    assert Theme.objects.count() == before


def test_an_arabic_name_of_an_existing_theme_is_that_theme(expert_client):
    before = Theme.objects.count()
    response = submit_practice(expert_client, themes="اجتثاث التطرف في السجون واعادة الادماج")
    assert response.status_code == 302, response.content.decode()[:2000]
    page = GoodPracticePage.objects.get(slug="radio-dramas")
    assert theme_names(page.themes) == ["Prison deradicalisation and reintegration"]
    assert Theme.objects.count() == before


def test_the_practice_editor_shows_themes_in_the_editors_language(moderator, moderator_client):
    page = PracticeFactory(themes=["Youth", "Community policing"])
    prefer_language(moderator, "ar")
    html = moderator_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'value="&quot;الشرطة المجتمعية&quot;, الشباب"' in html
    assert AUTOCOMPLETE in html


@pytest.mark.parametrize("language", ["en", "ar", "fr", "es"])
def test_the_themes_help_text_names_both_separators_in_every_language(language):
    with translation.override(language):
        admin_form = GoodPracticePage.get_edit_handler().get_form_class()
        for help_text in (
            str(admin_form.base_fields["themes"].help_text),
            str(ExpertProfileForm().fields["themes"].help_text),
        ):
            assert "“,”" in help_text
            assert "“،”" in help_text


# --- Autocomplete in the admin ---------------------------------------------------------


def test_the_admin_tag_widget_asks_the_multilingual_autocomplete():
    url = reverse("wagtailadmin_tag_model_autocomplete", args=("kx_platform", "theme"))
    assert url == AUTOCOMPLETE
    assert resolve(url).url_name == "kx_theme_autocomplete"


def test_autocomplete_finds_a_theme_by_its_arabic_name(moderator, moderator_client):
    prefer_language(moderator, "en")
    response = moderator_client.get(AUTOCOMPLETE, {"term": "الشب"})
    assert response.status_code == 200
    assert response.json() == ["Youth"]


def test_autocomplete_answers_in_the_editors_language(moderator, moderator_client):
    prefer_language(moderator, "ar")
    assert moderator_client.get(AUTOCOMPLETE, {"term": "Jeun"}).json() == ["الشباب"]
    assert "أمن الحدود" in moderator_client.get(AUTOCOMPLETE, {"term": "امن"}).json()


def test_autocomplete_matches_french_accents_and_words_inside_a_name(moderator, moderator_client):
    prefer_language(moderator, "fr")
    assert "Éducation" in moderator_client.get(AUTOCOMPLETE, {"term": "educ"}).json()
    assert "Police de proximité" in moderator_client.get(AUTOCOMPLETE, {"term": "policing"}).json()
    assert moderator_client.get(AUTOCOMPLETE, {"term": ""}).json() == []
    assert moderator_client.get(AUTOCOMPLETE, {"term": "zzzz"}).json() == []


def test_a_signed_out_visitor_gets_no_autocomplete(client):
    response = client.get(AUTOCOMPLETE, {"term": "Youth"})
    assert response.status_code == 302
    assert "Youth" not in response.content.decode()
    xhr = client.get(
        AUTOCOMPLETE, {"term": "Youth"}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert xhr.status_code == 403


def test_a_member_without_admin_access_gets_no_autocomplete(member):
    response = signed_in(member).get(AUTOCOMPLETE, {"term": "Youth"})
    assert response.status_code == 302
    assert "Youth" not in response.content.decode()


@pytest.mark.parametrize("model_path", ["practices.GoodPracticePage", "experts.Institution"])
def test_every_admin_form_with_themes_resolves_them(model_path):
    from django.apps import apps
    from wagtail.admin.panels import get_edit_handler

    from kx_platform.themes import AdminThemeTagField

    form_class = get_edit_handler(apps.get_model(model_path)).get_form_class()
    field = form_class.base_fields["themes"]
    assert isinstance(field, AdminThemeTagField)
    assert field.clean("الشباب، Éducation") == ["Education", "Youth"]
