"""Mixed-direction text as a reader sees it (issue 11, item 12): in the Arabic interface a
mention reads "@omar_khatib" (the "@" left of the name), a pillar chip reads "IV." and
not ".IV", and a facet's count sits on the end side of its label, at desktop and phone
width. Screenshots in en and ar at 1280 and 390 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_roster_flow import sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}
BODY = "@omar_khatib شكراً على تجربة السجون، هل تتابعون المفرج عنهم (12 شهراً) بعد الإفراج؟"

# The horizontal extent of one character of an element's text, from a DOM Range: where
# the browser drew it, whatever the logical order.
CHAR_RECT = """(element, index) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node, offset = index;
    while ((node = walker.nextNode())) {
        if (offset < node.length) break;
        offset -= node.length;
    }
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    const rect = range.getBoundingClientRect();
    return {left: rect.left, right: rect.right};
}"""


@pytest.fixture(scope="module")
def thread_path(site):
    pk = site.shell(
        "from django.contrib.auth.models import User; "
        "from experts.forum import posting; from experts.forum.models import Category; "
        "t = posting.create_thread(User.objects.get(username='expert_sahel'), "
        "Category.objects.get(slug='general'), title='متابعة المفرج عنهم', "
        f"body={BODY!r}, language='ar'); print(t.pk)"
    )
    return f"/forum/t/{pk}/"


def char_rect(locator, index):
    return locator.evaluate(CHAR_RECT, index)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_arabic_post_reads_the_mention_left_to_right(site, new_page, thread_path, width):
    page = new_page()
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, site, "expert_sahel", language="ar")
    page.goto(f"{site.url}/ar{thread_path}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    body = page.locator("#post-1 .post__body")
    # The post is Arabic: dir="auto" passes over the isolated mention at its start.
    expect(body).to_have_css("direction", "rtl")
    mention = body.locator("bdi.mention")
    expect(mention).to_have_text("@omar_khatib")
    expect(mention).to_have_attribute("dir", "ltr")
    expect(mention).to_have_css("direction", "ltr")
    expect(mention).to_have_css("unicode-bidi", "isolate")
    at, first_letter = char_rect(mention, 0), char_rect(mention, 1)
    assert at["right"] <= first_letter["left"] + 0.5, (at, first_letter)
    # The mention opens the Arabic sentence: it sits at the start (right) of the line.
    assert mention.bounding_box()["x"] > body.bounding_box()["x"] + body.bounding_box()["width"] / 2
    # The author's name is isolated; the reply box follows what is typed.
    expect(page.locator("#post-1 .post__author bdi")).to_have_count(1)
    expect(page.locator("section.forum__reply textarea[name=body]")).to_have_attribute(
        "dir", "auto"
    )
    # The reply box's help writes its Markdown examples left to right too.
    example = page.locator("section.forum__reply bdi[dir=ltr]", has_text="@username")
    assert char_rect(example, 0)["right"] <= char_rect(example, 1)["left"] + 0.5
    mention.scroll_into_view_if_needed()
    screenshot(page, f"bidi-forum-mention-ar-{width}")


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_pillar_chips_and_facet_counts_keep_their_order(site, new_page, language, width):
    page = new_page()
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    page.goto(f"{site.url}/{language}/practices/?pillar=4")
    expect(page.locator("#practice-q")).to_have_attribute("dir", "auto")
    drawer = page.locator("details.filters-drawer")
    if not drawer.evaluate("d => d.open"):
        drawer.locator("summary").click()
    rtl = language == "ar"

    # A card's chip: the numeral reads "IV." ("I" before "V" before "."), and in Arabic
    # it stands on the right of the name, where an Arabic reader starts.
    chip = page.locator(
        ".cards .chip--pillar", has=page.locator("bdi.numeral", has_text="IV.")
    ).first
    numeral, name = chip.locator("bdi.numeral"), chip.locator("bdi").nth(1)
    expect(numeral).to_have_css("direction", "ltr")
    i, v, dot = (char_rect(numeral, n) for n in range(3))
    assert i["right"] <= v["left"] + 0.5 and v["right"] <= dot["left"] + 0.5, (i, v, dot)
    numeral_box, name_box = numeral.bounding_box(), name.bounding_box()
    if rtl:
        assert numeral_box["x"] >= name_box["x"] + name_box["width"] - 0.5
    else:
        assert numeral_box["x"] + numeral_box["width"] <= name_box["x"] + 0.5

    # A facet option: the count is at the end of the label (left in Arabic).
    label = page.locator("label[for=f-pillar-4]")
    count = label.locator(".count")
    expect(count).to_have_css("unicode-bidi", "isolate")
    label_numeral = label.locator("bdi.numeral")
    count_box, numeral_box = count.bounding_box(), label_numeral.bounding_box()
    if count_box["y"] < numeral_box["y"] + numeral_box["height"] / 2:  # same line
        if rtl:
            assert count_box["x"] + count_box["width"] <= numeral_box["x"] + 0.5
        else:
            assert numeral_box["x"] + numeral_box["width"] <= count_box["x"] + 0.5
    # An active filter chip keeps the numeral isolated too.
    expect(page.locator(".active-filters .chip bdi.numeral")).to_have_text("IV.")
    # "(1)" follows the label's direction: in Arabic its opening parenthesis is drawn on
    # the right (mirrored), so the count reads "(1)" from either side, never ")1(".
    opening, closing = char_rect(count, 0), char_rect(count, len(count.inner_text()) - 1)
    assert (opening["left"] > closing["left"]) == rtl, (opening, closing)
    assert re.fullmatch(r"\(\d+\)", count.inner_text())
    screenshot(page, f"bidi-practice-list-{language}-{width}")
