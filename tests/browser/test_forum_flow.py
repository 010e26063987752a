"""An expert opens a thread in French; another replies in Arabic and mentions her; the
mention arrives; readers flag a post and a moderator hides it from the queue."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import make_moderator, screenshot
from tests.browser.test_practice_flow import set_up_two_factor_and_sign_in_to_admin
from tests.browser.test_roster_flow import sign_in

pytestmark = pytest.mark.browser

TITLE = "Réinsertion des détenus libérés : quel suivi après la prison ?"
ARABIC_REPLY = "شكراً @khady_ndiaye، في موريتانيا نتابع المفرج عنهم لمدة سنتين مع أسرهم."
BAD_REPLY = "Publiez les adresses personnelles des repentis, ce sont tous des traîtres."


def test_french_thread_arabic_reply_mention_flag_and_moderation(site, new_page):
    # An expert opens a thread in French.
    author = new_page()
    sign_in(author, site, "khady_ndiaye", language="fr")
    author.goto(f"{site.url}/fr/forum/c/pillar-1/new/")
    expect(author.locator("html")).to_have_attribute("lang", "fr")
    author.fill("input[name=title]", TITLE)
    author.fill("textarea[name=body]", "Comment organisez-vous le **suivi** après la libération ?")
    author.select_option("select[name=language]", "fr")
    author.click("main form button[type=submit]")
    author.wait_for_url(re.compile(r"/fr/forum/t/\d+/"))
    thread_path = re.sub(r"^https?://[^/]+/fr", "", author.url.split("#")[0])
    expect(author.locator("main h1")).to_have_text(TITLE)
    screenshot(author, "30-forum-thread-fr")

    # Another expert replies in Arabic, in the Arabic interface, and mentions her.
    replier = new_page()
    sign_in(replier, site, "expert_sahel", language="ar")
    replier.goto(f"{site.url}/ar{thread_path}")
    expect(replier.locator("html")).to_have_attribute("dir", "rtl")
    replier.fill("section.forum__reply textarea[name=body]", ARABIC_REPLY)
    replier.select_option("section.forum__reply select[name=language]", "ar")
    replier.click("section.forum__reply button[type=submit]")
    replier.wait_for_url(re.compile(r"/ar/forum/t/\d+/"))
    expect(replier.locator("main .mention")).to_have_text("@khady_ndiaye")
    screenshot(replier, "31-forum-reply-ar-rtl")
    # The French opening post keeps its own direction in the Arabic page: it starts at the
    # left edge of its card, not on the page's (right) side.
    opening = replier.locator("#post-1 .post__body")
    expect(opening).to_have_css("direction", "ltr")
    expect(opening).to_have_css("text-align", "start")
    assert opening.bounding_box()["x"] - replier.locator("#post-1").bounding_box()["x"] < 40

    # The mention arrives.
    author.goto(f"{site.url}/fr/experts/notifications/")
    expect(author.locator("main")).to_contain_text(TITLE)
    expect(author.locator("main .notifications li").first).to_contain_text("mention")
    author.locator("main .notifications a").first.click()
    expect(author.locator("main")).to_contain_text("موريتانيا")

    # A third expert posts something abusive; three vetted experts flag it: it is hidden.
    abuser = new_page()
    sign_in(abuser, site, "youcef_blk")
    abuser.goto(f"{site.url}/fr{thread_path}")
    abuser.fill("section.forum__reply textarea[name=body]", BAD_REPLY)
    abuser.click("section.forum__reply button[type=submit]")
    abuser.wait_for_url(re.compile(r"/forum/t/\d+/"))
    for flagger in ("khady_ndiaye", "grace_wanjiru"):
        page = author if flagger == "khady_ndiaye" else new_page()
        if flagger != "khady_ndiaye":
            sign_in(page, site, flagger)
        page.goto(f"{site.url}/en{thread_path}")
        page.locator("li.post", has_text="repentis").get_by_role("link", name="Flag").click()
        page.check("input[name=reason][value=exposes]")
        page.click("main form button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("moderators")
    # Two flags: still visible; the moderator hides it from the queue.
    moderator = new_page()
    assert make_moderator(site, "forum_moderator") == "ok"
    set_up_two_factor_and_sign_in_to_admin(moderator, site, "forum_moderator")
    moderator.goto(f"{site.url}/en/forum/moderation/")
    item = moderator.locator("article.queue-item", has_text="repentis")
    expect(item).to_contain_text("Exposes someone")
    item.locator("input[name=reason]").fill("Calls to expose people who left armed groups")
    item.locator("button[value=hide]").click()
    expect(moderator.locator(".messages")).to_contain_text("logged")
    screenshot(moderator, "32-forum-moderator-hid-post")

    visitor = new_page()
    visitor.goto(f"{site.url}/en{thread_path}")
    expect(visitor.locator("main")).to_contain_text("موريتانيا")
    expect(visitor.locator("main")).not_to_contain_text("repentis")
    moderator.goto(f"{site.url}/en/forum/moderation/log/")
    expect(moderator.locator("main")).to_contain_text("Calls to expose people")
