"""An expert writes a practice in Arabic, a moderator approves it, a visitor finds it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import totp_code

pytestmark = pytest.mark.browser

TITLE = "برنامج المصالحة المجتمعية لإعادة إدماج العائدين في منطقة بحيرة تشاد"
SUMMARY = (
    "تعمل لجان محلية تضم الزعماء التقليديين والنساء والشباب على استقبال العائدين من الجماعات "
    "المسلحة وتهيئة المجتمعات لإعادة إدماجهم، بالتنسيق مع السلطات والمنظمات الإنسانية."
)
HUMAN_RIGHTS = "المشاركة طوعية، ويحظى الضحايا بصوت مسموع، وتشارك النساء في كل لجنة."


def sign_in_to_admin(page, site, username):
    """The admin's login page forwards to the site's sign-in (allauth), then back."""
    page.goto(site.url + "/admin/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", f"kx-demo-{username}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def set_up_two_factor_and_sign_in_to_admin(page, site, username):
    """Moderators must set up an authenticator app (TOTP) before they reach the admin."""
    page.goto(site.url + "/admin/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", f"kx-demo-{username}")
    page.click("main form button[type=submit]")
    # allauth asks for the password again before an authenticator is added.
    page.wait_for_url(re.compile(r"/account/reauthenticate/"))
    expect(page.locator(".messages")).to_contain_text("two-factor authentication")
    page.fill("input[name=password]", f"kx-demo-{username}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/account/2fa/totp/activate/$"))
    screenshot(page, "03a-moderator-sets-up-two-factor")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", totp_code(secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/account/2fa/recovery-codes/$"))
    expect(page.locator("#recovery_codes")).not_to_be_empty()
    screenshot(page, "03b-moderator-recovery-codes")
    page.goto(site.url + "/admin/")
    page.wait_for_url(re.compile(r"/admin/$"))


def rich_text(page, field, text):
    editor = page.locator(f"[data-field-input]:has(#id_{field}) [contenteditable=true]")
    editor.click()
    editor.type(text)


def test_expert_submits_in_arabic_moderator_approves_visitor_finds_it(site, new_page):
    arabic_index = site.shell(
        "from practices.models import PracticeIndexPage as P; "
        "print(P.objects.get(locale__language_code='ar').pk)"
    )

    # The expert works in the admin in Arabic (her preference), right to left.
    expert = new_page()
    sign_in_to_admin(expert, site, "expert")
    expect(expert.locator("html")).to_have_attribute("dir", "rtl")
    expert.goto(f"{site.url}/admin/pages/add/practices/goodpracticepage/{arabic_index}/")
    expert.fill("#id_title", TITLE)
    expert.fill("#id_summary", SUMMARY)
    rich_text(expert, "challenge", "عادت آلاف الأسر من مناطق سيطرة الجماعات المسلحة.")
    rich_text(expert, "human_rights", HUMAN_RIGHTS)
    expert.locator("[role=tab]").nth(1).click()  # "Classification", whatever the language
    expert.check("input[name=pillars][value='1']")
    expert.check("input[name=pillars][value='4']")
    expert.select_option("#id_countries", ["TD", "NE"])
    expert.select_option("#id_scale", "regional")
    expert.select_option("#id_evidence_stage", "tested")
    expert.check("input[name=support_kinds][value='peer_exchange']")
    expert.fill("#id_start_year", "2021")
    screenshot(expert, "01-expert-classification-ar")
    expert.click("footer .w-dropdown__toggle")
    expert.click("button[name=action-submit]")
    expect(expert.locator(".messages")).to_be_visible()
    screenshot(expert, "02-expert-submitted-ar")

    page_id = site.shell(
        "from practices.models import GoodPracticePage as G; "
        f"p=G.objects.get(title='{TITLE}'); print(p.pk if not p.live else 'LIVE')"
    )
    assert page_id.isdigit(), "the expert's practice must not be live before approval"

    # The moderator approves it from the page's action menu.
    moderator = new_page()
    set_up_two_factor_and_sign_in_to_admin(moderator, site, "moderator")
    moderator.goto(f"{site.url}/admin/pages/{page_id}/edit/")
    moderator.click("footer .w-dropdown__toggle")
    moderator.locator("button[data-workflow-action-name='approve']").first.click()
    dialog = moderator.locator("[role=dialog]:visible")
    if dialog.count():
        dialog.locator("button[type=submit]").click()
    moderator.wait_for_load_state()
    screenshot(moderator, "03-moderator-approved")
    assert (
        site.shell(
            "from practices.models import GoodPracticePage as G; "
            f"print(G.objects.get(pk={page_id}).live)"
        )
        == "True"
    )

    # A visitor finds it in the Arabic list filtered by pillar, region and country.
    visitor = new_page()
    visitor.goto(f"{site.url}/ar/practices/?pillar=1&region=africa&country=TD")
    html = visitor.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    card = visitor.locator(".card", has_text=TITLE)
    expect(card).to_be_visible()
    # Mirrored layout: the filters sit on the right of the results in Arabic.
    filters = visitor.locator(".filters").bounding_box()
    results = visitor.locator(".results").bounding_box()
    assert filters["x"] > results["x"]
    screenshot(visitor, "04-visitor-finds-it-ar")
    card.locator("a").first.click()
    expect(visitor.locator("h1")).to_have_text(TITLE)
    expect(visitor.locator(".practice__rights")).to_contain_text(HUMAN_RIGHTS)
    screenshot(visitor, "05-practice-page-ar")


def test_filters_work_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/en/practices/")
    page.check("#f-pillar-2")
    page.click(".filters button[type=submit]")
    assert "pillar=2" in page.url
    expect(page.locator("#f-pillar-2")).to_be_checked()
    page.go_back()
    assert "pillar=2" not in page.url
    context.close()


def test_language_switcher_keeps_the_page_and_filters(site, new_page):
    page = new_page()
    page.goto(site.url + "/en/practices/?pillar=4")
    page.click(".language-switcher a[hreflang=fr]")
    assert page.url.endswith("/fr/practices/?pillar=4")
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_search_autocomplete_and_cross_language_results(site, new_page):
    page = new_page()
    page.goto(site.url + "/en/")
    page.fill("#home-q", "violent extremism")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/en/search/?q=violent+extremism")
    expect(page.locator(".hit").first).to_be_visible()
    expect(page.locator(".notice--info")).to_contain_text("Results in other languages")
    expect(page.locator(".hit mark").first).to_be_visible()
    screenshot(page, "06-search-cross-language-en")

    page.goto(site.url + "/ar/search/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#search-q").press_sequentially("الإره", delay=40)
    suggestions = page.locator("#search-suggestions li")
    expect(suggestions.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ar/search/?q=*")
    expect(page.locator(".hit").first).to_be_visible()
    screenshot(page, "07-search-autocomplete-ar")
