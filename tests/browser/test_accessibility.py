"""axe-core finds no serious or critical violation on the public pages, in English and Arabic."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/{lang}/",
    "list": "/{lang}/practices/?pillar=1",
    "list-empty": "/{lang}/practices/?pillar=3&region=europe-north-america",
    "practice": None,  # a demo practice, found below
    "sign-in": "/{lang}/account/login/",
    "sign-up": "/{lang}/account/signup/",
    "search": "/{lang}/search/?q=youth",
    "roster": "/{lang}/experts/",
    "guidebook": "/{lang}/guidebook/",
    "forum": "/{lang}/forum/",
    "dashboard": "/{lang}/exchanges/dashboard/",
    "submit": "/{lang}/practices/submit/",
    "not-found": "/{lang}/no-such-page/",
}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(site, new_page, lang, name, width):
    path = PAGES[name]
    if path is None:
        path = site.shell(
            "from practices.models import GoodPracticePage as G; "
            f"print(G.objects.live().filter(locale__language_code='{lang}').first().url)"
        )
    page = new_page(**({"viewport": PHONE} if width == "phone" else {}))
    page.goto(site.url + path.format(lang=lang))
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    screenshot(page, f"axe-{name}-{lang}-{width}")
    assert not serious, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in serious
    )
