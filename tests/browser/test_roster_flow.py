"""A member finds an Arabic-speaking expert on prison reintegration in Africa, asks
for an exchange; the expert accepts; both see the contact details shared for it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

EXPERT_NAME = "محمد الأمين ولد أحمدو"  # the demo roster's expert_sahel


def sign_in(page, site, username, language="en"):
    page.goto(f"{site.url}/{language}/account/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", f"kx-demo-{username}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"{site.url}/(?!.*login)"))


def test_member_requests_an_exchange_and_the_expert_accepts(site, new_page):
    member = new_page()
    sign_in(member, site, "member")
    member.goto(
        f"{site.url}/en/experts/?lang=ar&region=africa"
        "&theme=prison-deradicalisation-and-reintegration"
    )
    card = member.locator("main li, main article").filter(has_text=EXPERT_NAME).first
    expect(card).to_be_visible()
    screenshot(member, "10-member-finds-arabic-expert")
    member.get_by_role("link", name=EXPERT_NAME).first.click()
    expect(member.locator("h1")).to_have_text(EXPERT_NAME)
    # Contact details are not on the profile: the member asks through the platform.
    assert "expert_sahel@demo.kx.invalid" not in member.content()
    member.fill("input[name=topic]", "Prison dialogue programme for the Lake Chad basin")
    member.select_option("select[name=support_kind]", "mentoring")
    member.select_option("select[name=requesting_country]", label="Chad")
    member.select_option("select[name=language]", "ar")
    member.fill("textarea[name=message]", "نود الاستفادة من تجربتكم في الحوار داخل السجون.")
    member.get_by_role("button", name="Send the request").click()
    member.wait_for_url(re.compile(r"/en/experts/requests/\d+/"))
    request_url = member.url
    expect(member.locator("main")).not_to_contain_text("expert_sahel@demo.kx.invalid")
    screenshot(member, "11-member-request-sent")

    expert = new_page()
    sign_in(expert, site, "expert_sahel", language="ar")
    expert.goto(request_url.replace("/en/", "/ar/"))
    expect(expert.locator("html")).to_have_attribute("dir", "rtl")
    accept = expert.locator("form:has(input[name=to_state][value=accepted])")
    accept.locator("textarea, input[name=note]").first.fill("بكل سرور، لنتحدث الأسبوع المقبل.")
    accept.locator("button[type=submit]").click()
    expect(expert.locator("main")).to_contain_text("member@demo.kx.invalid")
    screenshot(expert, "12-expert-accepted-ar")

    member.goto(request_url)
    expect(member.locator("main")).to_contain_text("expert_sahel@demo.kx.invalid")
    screenshot(member, "13-member-sees-shared-contact")
