"""The expert profile form, as an applicant sees it: each "Who may see" choice beside (or,
on a phone, right under) the field it governs, in English and Arabic (issue 11, item 2)."""

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PAIRED = [
    "organisation",
    "institution",
    "country",
    "years_of_experience",
    "biography",
    "availability",
]


def sign_in(page, site, username, language):
    page.goto(f"{site.url}/{language}/account/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", f"kx-demo-{username}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"{site.url}/(?!.*login)"))


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 390])
def test_each_visibility_choice_is_shown_with_its_field(site, new_page, language, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site, "member", language)
    page.goto(f"{site.url}/{language}/experts/apply/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    for name in PAIRED:
        pair = page.locator(f".expert-form__pair[data-profile-field={name}]")
        field = pair.locator(f"[name={name}]")
        choice = pair.locator(f"select[name=visibility_{name}]")
        label = pair.locator(f"label[for=id_visibility_{name}]")
        box, field_box, choice_box, label_box = (
            e.bounding_box() for e in (pair, field, choice, label)
        )
        # Field, choice and its label are drawn inside their pair's box ...
        for inner in (field_box, choice_box, label_box):
            assert (
                box["y"] - 1 <= inner["y"]
                and inner["y"] + inner["height"] <= box["y"] + box["height"] + 1
            )
            assert (
                box["x"] - 1 <= inner["x"]
                and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
            )
        # ... the label directly above its own select ...
        assert label_box["y"] + label_box["height"] <= choice_box["y"] + 1
        # ... and nothing of the page scrolls sideways on a phone.
        assert choice_box["x"] >= 0 and choice_box["x"] + choice_box["width"] <= width
        if width == 1280:  # side by side: the choice on the field's trailing side
            if language == "ar":
                assert choice_box["x"] + choice_box["width"] <= field_box["x"] + 1
            else:
                assert choice_box["x"] >= field_box["x"] + field_box["width"] - 1
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    page.locator(".expert-form__pair[data-profile-field=organisation]").scroll_into_view_if_needed()
    screenshot(page, f"profile-form-privacy-{language}-{width}")
