"""The expert profile form puts each "Who may see" choice with the field it governs.

Issue 11, item 2: the choices were laid out in a grid of their own, where each label and
each select were separate grid cells, so a select sat under the next field's label and
experts exposed the wrong fields.
"""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from experts.forms import visibility_field_name
from experts.models import CONFIGURABLE_FIELDS
from tests.conftest import signed_in
from tests.factories import UserFactory

# Where each configurable field's own input is, by the name it posts under.
FORMSET_FIELDS = {"languages": "languages-0-language", "links": "links-0-url"}


def field_input_name(name):
    return FORMSET_FIELDS.get(name, name)


def rendered_form(language):
    client = signed_in(UserFactory(username=f"applicant_{language}"))
    with translation.override(language):
        path = reverse("expert_apply")
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def group_of(element):
    """The nearest enclosing group: a fieldset or an element with role="group"."""
    for parent in element.parents:
        if parent.name == "fieldset" or parent.get("role") == "group":
            return parent
    return None


def group_name(group):
    if group.name == "fieldset":
        return group.find("legend").get_text(" ", strip=True)
    return group.get("aria-label", "")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_visibility_choice_sits_in_the_group_of_its_field(language):
    soup = rendered_form(language)
    with translation.override(language):
        labels = {name: str(label) for name, label in CONFIGURABLE_FIELDS.items()}
    for name in CONFIGURABLE_FIELDS:
        select = soup.find("select", attrs={"name": visibility_field_name(name)})
        assert select is not None, name
        group = group_of(select)
        assert group is not None, name
        own_input = group.find(attrs={"name": field_input_name(name)})
        assert own_input is not None, f"{name}: its choice is not grouped with the field"
        # Only this field's choice is in the group.
        choices = [
            s["name"] for s in group.find_all("select") if s["name"].startswith("visibility_")
        ]
        assert choices == [visibility_field_name(name)], name
        # The group is named for the field, in the reader's language.
        assert labels[name].casefold() in group_name(group).casefold(), (name, group_name(group))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_visibility_choice_is_labelled_with_the_name_of_its_field(language):
    soup = rendered_form(language)
    with translation.override(language):
        expected = {
            name: str(translation.gettext("Who may see: %(field)s") % {"field": label})
            for name, label in CONFIGURABLE_FIELDS.items()
        }
    for name in CONFIGURABLE_FIELDS:
        select = soup.find("select", attrs={"name": visibility_field_name(name)})
        label = soup.find("label", attrs={"for": select["id"]})
        assert label is not None, name
        assert label.get_text(strip=True) == expected[name]
        # The label is in the same group as the select, not in some other cell.
        assert group_of(label) is group_of(select)
    if language == "ar":
        assert "من يجوز له الاطلاع على" in expected["country"]


@pytest.mark.django_db
def test_the_form_still_saves_each_choice_for_its_own_field():
    from experts.models import ExpertProfile
    from tests.test_experts import APPLY, application, pillar_pks

    client = signed_in(UserFactory(username="saver"))
    response = client.post(
        APPLY,
        application(
            pillars=pillar_pks([1]),
            regions=[],
            visibility_organisation="experts",
            visibility_country="members",
            visibility_biography="public",
        ),
    )
    assert response.status_code == 302
    visibility = ExpertProfile.objects.get(user__username="saver").visibility
    assert visibility["organisation"] == "experts"
    assert visibility["country"] == "members"
    assert visibility["biography"] == "public"
