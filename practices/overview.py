"""The home page's picture of the library: practices by pillar and region, the newest."""

from django.db.models import Count
from django.utils.translation import get_language_bidi

from kx_platform.models import Pillar, Region
from practices.models import GoodPracticePage, PracticeIndexPage
from practices.queries import practices_for_display, public_practices

NEWEST_COUNT = 6


def pillar_region_matrix(display):
    """Rows per pillar, a cell per region of the South, each with its practice count."""
    pairs = (
        GoodPracticePage.pillars.through.objects.filter(
            goodpracticepage_id__in=display.values("pk"),
            goodpracticepage__regions__isnull=False,
        )
        .values("pillar_id", "goodpracticepage__regions")
        .annotate(n=Count("goodpracticepage_id", distinct=True))
    )
    counts = {(r["pillar_id"], r["goodpracticepage__regions"]): r["n"] for r in pairs}
    regions = list(Region.objects.filter(is_global_south=True))
    pillars = list(Pillar.objects.all())
    peak = max(counts.values(), default=0)
    rows = []
    for pillar in pillars:
        cells = [{"region": r, "count": counts.get((pillar.pk, r.pk), 0)} for r in regions]
        for cell in cells:
            cell["share"] = round(100 * cell["count"] / peak) if peak else 0
        rows.append({"pillar": pillar, "cells": cells, "total": sum(c["count"] for c in cells)})
    return {"regions": regions, "rows": rows, "peak": peak}


def home_overview(request):
    base = public_practices()
    display = practices_for_display(base=base)
    index = (
        PracticeIndexPage.objects.live().filter(locale__language_code=request.LANGUAGE_CODE).first()
    )
    newest = list(
        display.select_related("locale")
        .prefetch_related("pillars")
        .order_by("-first_published_at")[:NEWEST_COUNT]
    )
    matrix = pillar_region_matrix(display)
    return {
        "practice_index": index,
        "practice_total": display.count(),
        "matrix": matrix,
        "chart": pillar_region_chart(matrix, rtl=get_language_bidi()),
        "newest": newest,
    }


CHART_WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 14
GROUP_GAP = 18
TOP = 8


def pillar_region_chart(matrix, rtl=False):
    """Geometry of a grouped horizontal bar chart of the matrix, mirrored for RTL.

    Computed here rather than with a CSS transform so that labels stay readable.
    """
    regions = matrix["regions"]
    peak = matrix["peak"] or 1
    plot_width = CHART_WIDTH - LABEL_WIDTH - 40
    group_height = len(regions) * BAR_HEIGHT + GROUP_GAP
    groups = []
    for i, row in enumerate(matrix["rows"]):
        top = TOP + i * group_height
        bars = []
        for j, cell in enumerate(row["cells"]):
            width = round(plot_width * cell["count"] / peak)
            x = CHART_WIDTH - LABEL_WIDTH - width if rtl else LABEL_WIDTH
            value_x = x - 4 if rtl else x + width + 4
            bars.append(
                {
                    "series": j + 1,
                    "x": x,
                    "y": top + j * BAR_HEIGHT,
                    "width": width,
                    "height": BAR_HEIGHT - 2,
                    "count": cell["count"],
                    "value_x": value_x,
                    "value_y": top + j * BAR_HEIGHT + BAR_HEIGHT - 4,
                    "region": cell["region"],
                }
            )
        label_x = CHART_WIDTH - 4 if rtl else 4
        groups.append(
            {"pillar": row["pillar"], "label_x": label_x, "label_y": top + BAR_HEIGHT, "bars": bars}
        )
    height = TOP + len(matrix["rows"]) * group_height
    return {
        "width": CHART_WIDTH,
        "height": height,
        "groups": groups,
        # "start" in both directions: the SVG inherits the page's `direction`, so in
        # Arabic "start" is the right end of the text, next to the mirrored position.
        "text_anchor": "start",
        "value_anchor": "start",
        "legend": [{"series": j + 1, "region": r} for j, r in enumerate(regions)],
    }
