"""Measuring South-South exchanges (SDG indicator 17.3.1): the public dashboard's figures.

Aggregates only: counts (and summed values per currency) grouped by pillar, region,
flow, kind of support, modality and period; never a person, a name or an address.
Each chart is one GROUP BY (the regions and the flows share one). The figures of one
filter combination are computed once per content generation (kx_platform.content_cache)
and record generation (bumped whenever a record, or its themes, change), so readers
after the first are served from the cache.

Which records count: pending and confirmed ones. A record the recipient side disputes
is left out until it is corrected and confirmed (COUNTED_STATUSES); the page says so and
gives the number left out.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, Sum
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from experts.models import (
    ConfirmationStatus,
    CooperationKind,
    ExchangeRecord,
    Modality,
)
from experts.models.exchanges import COUNTED_STATUSES
from kx_platform import content_cache
from kx_platform.models import Pillar, Region

RECORDS_GENERATION_KEY = "kx:exchange-records-generation"
FIRST_YEAR, LAST_YEAR = 1990, 2100


# --- Invalidation -------------------------------------------------------------------------


def records_generation():
    value = cache.get(RECORDS_GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(RECORDS_GENERATION_KEY, value, None)
    return value


def bump_records(**kwargs):
    """A record was saved, deleted or had its themes changed: its figures go stale."""
    try:
        cache.incr(RECORDS_GENERATION_KEY)
    except ValueError:
        cache.set(RECORDS_GENERATION_KEY, 2, None)


def connect_signals():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(bump_records, sender=ExchangeRecord, dispatch_uid="kx-records-save")
    post_delete.connect(bump_records, sender=ExchangeRecord, dispatch_uid="kx-records-del")
    m2m_changed.connect(
        bump_records, sender=ExchangeRecord.themes.through, dispatch_uid="kx-records-themes"
    )


# --- Filters ------------------------------------------------------------------------------


@dataclass
class DashboardFilters:
    """The dashboard's state, read from the query string; unknown values are dropped and
    explained in `errors` (the page shows them; the exports answer 400)."""

    year: int | None = None
    pillar: Pillar | None = None
    region: Region | None = None
    errors: list = field(default_factory=list)

    @property
    def key(self):
        return (
            f"y{self.year or ''}:p{self.pillar.number if self.pillar else ''}:"
            f"r{self.region.slug if self.region else ''}"
        )

    def as_params(self):
        params = {}
        if self.year:
            params["year"] = str(self.year)
        if self.pillar:
            params["pillar"] = str(self.pillar.number)
        if self.region:
            params["region"] = self.region.slug
        return params

    def as_dict(self):
        return {
            "year": self.year,
            "pillar": self.pillar.number if self.pillar else None,
            "region": self.region.slug if self.region else None,
        }


def parse_filters(params):
    """Year (a four-digit year), pillar (its number), region (its slug)."""
    filters = DashboardFilters()
    year = (params.get("year") or "").strip()
    if year:
        if year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR:
            filters.year = int(year)
        else:
            filters.errors.append(
                _("“%(value)s” is not a year: the year filter was ignored.") % {"value": year[:20]}
            )
    pillar = (params.get("pillar") or "").strip()
    if pillar:
        found = Pillar.objects.filter(number=pillar).first() if pillar.isdigit() else None
        if found is None:
            filters.errors.append(
                _("There is no pillar “%(value)s”: the pillar filter was ignored.")
                % {"value": pillar[:20]}
            )
        filters.pillar = found
    region = (params.get("region") or "").strip()
    if region:
        found = Region.objects.filter(slug=region).first() if len(region) <= 50 else None
        if found is None:
            filters.errors.append(
                _("There is no region “%(value)s”: the region filter was ignored.")
                % {"value": region[:50]}
            )
        filters.region = found
    return filters


def filtered_records(filters, statuses=COUNTED_STATUSES):
    records = ExchangeRecord.objects.all()
    if statuses is not None:
        records = records.filter(status__in=statuses)
    if filters.year:
        records = records.filter(
            start_date__gte=datetime.date(filters.year, 1, 1),
            start_date__lt=datetime.date(filters.year + 1, 1, 1),
        )
    if filters.pillar:
        records = records.filter(pillar=filters.pillar)
    if filters.region:
        records = records.filter(
            Q(provider_country__region=filters.region) | Q(recipient_country__region=filters.region)
        )
    return records


# --- The figures --------------------------------------------------------------------------


def _grouped(records, *fields):
    rows = records.order_by().values(*fields).annotate(n=Count("pk"))
    if len(fields) == 1:
        return {row[fields[0]]: row["n"] for row in rows}
    return {tuple(row[f] for f in fields): row["n"] for row in rows}


def _over_time(counted, filters):
    """{year: count}, or {quarter: count} within the year filter.

    Conditional counts on date ranges rather than a GROUP BY on an extracted year: on
    SQLite every date function is a Python callback per row (3× slower at 10,000
    records), while a range is a plain comparison of ISO dates.
    """
    if filters.year:
        periods = {
            q: (
                datetime.date(filters.year, 3 * q - 2, 1),
                datetime.date(filters.year + (q == 4), 1 if q == 4 else 3 * q + 1, 1),
            )
            for q in range(1, 5)
        }
    else:
        span = counted.aggregate(first=Min("start_date"), last=Max("start_date"))
        if span["first"] is None:
            return {}
        periods = {
            y: (datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1))
            for y in range(span["first"].year, span["last"].year + 1)
        }
    counts = counted.aggregate(
        **{
            f"p{key}": Count("pk", filter=Q(start_date__gte=start, start_date__lt=end))
            for key, (start, end) in periods.items()
        }
    )
    return {key: counts[f"p{key}"] for key in periods}


def compute_figures(filters):
    """Every aggregate of the dashboard as plain data (ids and counts): what is cached.

    Regions as provider and as recipient, and the totals per confirmation status, are
    sums over the one GROUP BY of the flows (status, provider region, recipient region).
    """
    from practices.overview import pillar_region_matrix
    from practices.queries import practices_for_display

    counted = filtered_records(filters)
    flows_by_status = _grouped(
        filtered_records(filters, statuses=None),
        "status",
        "provider_country__region_id",
        "recipient_country__region_id",
    )
    status, flows, provider_region, recipient_region = {}, {}, {}, {}
    for (state, provider, recipient), n in flows_by_status.items():
        status[state] = status.get(state, 0) + n
        if state not in COUNTED_STATUSES:
            continue
        flows[(provider, recipient)] = flows.get((provider, recipient), 0) + n
        provider_region[provider] = provider_region.get(provider, 0) + n
        recipient_region[recipient] = recipient_region.get(recipient, 0) + n
    values = {
        row["currency"]: format(Decimal(row["total"]), ".2f")
        for row in counted.exclude(value__isnull=True)
        .order_by()
        .values("currency")
        .annotate(total=Sum("value"))
    }
    matrix = pillar_region_matrix(practices_for_display())
    practices = {
        (row["pillar"].pk, cell["region"].pk): cell["count"]
        for row in matrix["rows"]
        for cell in row["cells"]
    }
    return {
        "status": status,
        "by_pillar": _grouped(counted, "pillar_id"),
        "provider_region": provider_region,
        "recipient_region": recipient_region,
        "flows": flows,
        "by_kind": _grouped(counted, "support_kind"),
        "by_modality": _grouped(counted, "modality"),
        "over_time": _over_time(counted, filters),
        "per_year": not filters.year,
        "values": values,
        "practices": practices,
    }


def figures(filters):
    key = f"measurement:{records_generation()}:{filters.key}"
    return content_cache.cached(key, lambda: compute_figures(filters))


# --- From figures to tables ---------------------------------------------------------------


def _pillar_label(pillar):
    """The row and chart label of a pillar: "I. Conditions …"; in right-to-left languages
    "… (I)", which reads the same way in SVG text (Chromium sets a label's words left to
    right there)."""
    if not pillar:
        return _("No pillar given")
    if get_language_bidi():
        return f"{pillar.short_name} ({pillar.roman})"
    return f"{pillar.roman}. {pillar.short_name}"


def dashboard(filters):
    """Tables (rows of label and count) for the page, the CSV and the JSON."""
    data = figures(filters)
    pillars = list(Pillar.objects.all())
    regions = list(Region.objects.all())
    region_by_id = {r.pk: r for r in regions}
    if filters.pillar:
        pillars_shown = [filters.pillar]
    else:
        pillars_shown = pillars
    south = [r for r in regions if r.is_global_south]
    # Regions shown in the region and flow tables: the South plus any other that occurs.
    used = set(data["provider_region"]) | set(data["recipient_region"])
    regions_shown = [r for r in regions if r.is_global_south or r.pk in used]

    status = data["status"]
    counted_total = sum(status.get(s, 0) for s in COUNTED_STATUSES)
    tables = {}

    practice_regions = [filters.region] if filters.region else south
    tables["practices"] = {
        "key": "practices",
        "title": _("Practices by pillar and region"),
        "columns": [r.name for r in practice_regions],
        "column_keys": [r.slug for r in practice_regions],
        "rows": [
            {
                "label": _pillar_label(p),
                "key": str(p.number),
                "counts": [data["practices"].get((p.pk, r.pk), 0) for r in practice_regions],
            }
            for p in pillars_shown
        ],
    }

    by_pillar = [
        {"label": _pillar_label(p), "key": str(p.number), "count": data["by_pillar"].get(p.pk, 0)}
        for p in pillars_shown
    ]
    if data["by_pillar"].get(None):
        by_pillar.append(
            {"label": _("No pillar given"), "key": "", "count": data["by_pillar"][None]}
        )
    tables["by_pillar"] = {"key": "by_pillar", "title": _("Exchanges by pillar"), "rows": by_pillar}

    tables["by_region"] = {
        "key": "by_region",
        "title": _("Exchanges by region, as provider and as recipient"),
        "columns": [_("As provider"), _("As recipient")],
        "column_keys": ["provider", "recipient"],
        "rows": [
            {
                "label": r.name,
                "key": r.slug,
                "counts": [
                    data["provider_region"].get(r.pk, 0),
                    data["recipient_region"].get(r.pk, 0),
                ],
            }
            for r in regions_shown
        ],
    }

    tables["flows"] = {
        "key": "flows",
        "title": _("Flows between regions (provider → recipient)"),
        "columns": [r.name for r in regions_shown],
        "column_keys": [r.slug for r in regions_shown],
        "rows": [
            {
                "label": provider.name,
                "key": provider.slug,
                "counts": [data["flows"].get((provider.pk, to.pk), 0) for to in regions_shown],
            }
            for provider in regions_shown
        ],
    }

    tables["by_kind"] = {
        "key": "by_kind",
        "title": _("Exchanges by kind of support"),
        "rows": [
            {"label": str(label), "key": value, "count": data["by_kind"].get(value, 0)}
            for value, label in CooperationKind.choices
        ],
    }
    tables["by_modality"] = {
        "key": "by_modality",
        "title": _("Exchanges by modality"),
        "rows": [
            {"label": str(label), "key": value, "count": data["by_modality"].get(value, 0)}
            for value, label in Modality.choices
        ],
    }

    over_time = data["over_time"]
    if data["per_year"]:
        time_rows = [
            {"label": str(y), "key": str(y), "count": n} for y, n in sorted(over_time.items())
        ]
        time_title = _("Exchanges over time, by year the exchange started")
    else:
        time_rows = [
            {
                "label": _("Q%(quarter)d %(year)d") % {"quarter": q, "year": filters.year},
                "key": f"{filters.year}-Q{q}",
                "count": over_time.get(q, 0),
            }
            for q in range(1, 5)
        ]
        time_title = _("Exchanges in %(year)d, by quarter the exchange started") % {
            "year": filters.year
        }
    tables["over_time"] = {"key": "over_time", "title": time_title, "rows": time_rows}

    tables["values"] = {
        "key": "values",
        "title": _("Reported value of the exchanges, by currency"),
        "rows": [
            {"label": code, "key": code, "value": total}
            for code, total in sorted(data["values"].items())
        ],
    }
    return {
        "filters": filters,
        "counted_total": counted_total,
        "status": {
            "confirmed": status.get(ConfirmationStatus.CONFIRMED, 0),
            "pending": status.get(ConfirmationStatus.PENDING, 0),
            "disputed": status.get(ConfirmationStatus.DISPUTED, 0),
        },
        "tables": tables,
        "pillars": pillars,
        "regions": regions,
        "region_by_id": region_by_id,
    }


def chart_tables(board):
    """The tables drawn as charts, in page order (values are a table only)."""
    order = ["practices", "by_pillar", "by_region", "flows", "by_kind", "by_modality", "over_time"]
    return [board["tables"][key] for key in order]


# --- Charts -------------------------------------------------------------------------------

CHART_WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 14
GROUP_GAP = 14
TOP = 8
SERIES_COUNT = 5  # the palette of site.css (chart__bar--1 … --5), repeated beyond


def bar_chart(table, rtl=None):
    """Geometry of a horizontal bar chart of `table`, one group of bars per row.

    Mirrored for right-to-left by computing x positions (not with a CSS transform, so the
    text stays readable). Labels and values use text-anchor="start": SVG text inherits the
    page's direction, so "start" is the left edge in English and the right edge in Arabic.
    """
    if rtl is None:
        rtl = get_language_bidi()
    grouped = "columns" in table
    series = table["columns"] if grouped else [None]
    rows = [
        {"label": row["label"], "counts": row["counts"] if grouped else [row["count"]]}
        for row in table["rows"]
    ]
    peak = max((n for row in rows for n in row["counts"]), default=0) or 1
    plot_width = CHART_WIDTH - LABEL_WIDTH - 40
    group_height = len(series) * BAR_HEIGHT + GROUP_GAP
    groups = []
    for i, row in enumerate(rows):
        top = TOP + i * group_height
        bars = []
        for j, count in enumerate(row["counts"]):
            width = round(plot_width * count / peak)
            x = CHART_WIDTH - LABEL_WIDTH - width if rtl else LABEL_WIDTH
            bars.append(
                {
                    "series": j % SERIES_COUNT + 1,
                    "series_label": series[j],
                    "x": x,
                    "y": top + j * BAR_HEIGHT,
                    "width": width,
                    "height": BAR_HEIGHT - 2,
                    "count": count,
                    "value_x": x - 4 if rtl else x + width + 4,
                    "value_y": top + j * BAR_HEIGHT + BAR_HEIGHT - 3,
                }
            )
        groups.append(
            {
                "label": row["label"],
                "label_x": CHART_WIDTH - 4 if rtl else 4,
                "label_y": top + BAR_HEIGHT - 2,
                "bars": bars,
            }
        )
    return {
        "id": f"chart-{table['key'].replace('_', '-')}",
        "title": table["title"],
        "width": CHART_WIDTH,
        "height": max(TOP + len(rows) * group_height, 40),
        "direction": "rtl" if rtl else "ltr",
        "groups": groups,
        "legend": [
            {"series": j % SERIES_COUNT + 1, "label": label}
            for j, label in enumerate(series)
            if label is not None
        ],
        "table": table,
        "empty": not any(n for row in rows for n in row["counts"]),
    }


# --- Exports ------------------------------------------------------------------------------


def export_rows(board):
    """(table, row, column, value) lines: one long table for the CSV export."""
    lines = []
    for table in board["tables"].values():
        if table["key"] == "values":
            for row in table["rows"]:
                lines.append(("values", row["key"], "total", row["value"]))
            continue
        if "columns" in table:
            for row in table["rows"]:
                for column, count in zip(table["column_keys"], row["counts"], strict=True):
                    lines.append((table["key"], row["key"], column, count))
        else:
            for row in table["rows"]:
                lines.append((table["key"], row["key"], "count", row["count"]))
    return lines


def export_json(board):
    tables = {}
    for key, table in board["tables"].items():
        if key == "values":
            tables[key] = {row["key"]: row["value"] for row in table["rows"]}
        elif "columns" in table:
            tables[key] = {
                "title": str(table["title"]),
                "columns": table["column_keys"],
                "rows": [
                    {"key": row["key"], "label": str(row["label"]), "counts": row["counts"]}
                    for row in table["rows"]
                ],
            }
        else:
            tables[key] = {
                "title": str(table["title"]),
                "rows": [
                    {"key": row["key"], "label": str(row["label"]), "count": row["count"]}
                    for row in table["rows"]
                ],
            }
    return {
        "indicator": "SDG 17.3.1 (South-South cooperation)",
        "filters": board["filters"].as_dict(),
        "counted_statuses": [str(s) for s in COUNTED_STATUSES],
        "records": {"counted": board["counted_total"], **board["status"]},
        "tables": tables,
    }
