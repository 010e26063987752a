"""POST data for the Wagtail admin's practice form, as the browser would send it."""

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

__all__ = ["practice_form_data", "rich_text", "streamfield"]

from kx_platform.models import Pillar


def practice_form_data(**overrides):
    data = {
        "title": "Radio dramas against recruitment",
        "slug": "radio-dramas",
        "summary": "A weekly radio drama in Hausa and French tells the stories of young people "
        "who refused to join armed groups.",
        "challenge": rich_text("<p>Armed groups recruit through rumour and radio.</p>"),
        "approach": streamfield(
            [("heading", "Writers' rooms"), ("paragraph", rich_text("<p>Local writers.</p>"))]
        ),
        "results": rich_text("<p>Listeners reported more trust.</p>"),
        "lessons": rich_text(""),
        "replicability": rich_text(""),
        "human_rights": rich_text("<p>Scripts are reviewed for stigma against returnees.</p>"),
        "pillars": [str(Pillar.objects.get(number=1).pk)],
        "themes": "Counter-narratives, Youth",
        "regions": [],
        "countries": ["NE"],
        "partner_countries": [],
        "scale": "regional",
        "evidence_stage": "tested",
        "support_kinds": ["training"],
        "start_year": "2019",
        "end_year": "",
        "organisations": streamfield([]),
        "sources": streamfield([]),
        "comments": {
            "TOTAL_FORMS": "0",
            "INITIAL_FORMS": "0",
            "MIN_NUM_FORMS": "0",
            "MAX_NUM_FORMS": "1000",
        },
    }
    data.update(overrides)
    flat = nested_form_data({k: v for k, v in data.items() if not isinstance(v, list)})
    for key, value in data.items():
        if isinstance(value, list):
            flat[key] = value
    return flat
