"""The public measurement dashboard and its exports, and the recipient side's review of
exchange records. Aggregates only in public (experts.measurement); record-level data is
for moderators (experts.exchange_admin_views.ExchangeRecordExportView)."""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from experts import measurement
from experts.exchange_record_forms import RecordReviewForm
from experts.exchange_records import RECORD_RELATED, can_review, review, reviewable_by
from experts.models import ExchangeRecord

YEARS_BACK = 10


def _year_options(selected):
    from django.utils import timezone

    this_year = timezone.localdate().year
    years = list(range(this_year + 1, this_year - YEARS_BACK, -1))
    if selected and selected not in years:
        years.append(selected)
    return sorted(years, reverse=True)


@require_GET
def dashboard(request):
    filters = measurement.parse_filters(request.GET)
    board = measurement.dashboard(filters)
    charts = [measurement.bar_chart(table) for table in measurement.chart_tables(board)]
    params = urlencode(filters.as_params())
    return render(
        request,
        "experts/measurement/dashboard.html",
        {
            "board": board,
            "charts": charts,
            "values_table": board["tables"]["values"],
            "filters": filters,
            "years": _year_options(filters.year),
            "pillars": board["pillars"],
            "regions": board["regions"],
            "export_query": f"?{params}" if params else "",
        },
    )


def _bad_filters(filters):
    return JsonResponse({"error": " ".join(filters.errors)}, status=400)


@require_GET
def dashboard_json(request):
    filters = measurement.parse_filters(request.GET)
    if filters.errors:
        return _bad_filters(filters)
    data = measurement.export_json(measurement.dashboard(filters))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
def dashboard_csv(request):
    filters = measurement.parse_filters(request.GET)
    if filters.errors:
        return _bad_filters(filters)
    board = measurement.dashboard(filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kx-exchanges-aggregates.csv"'
    writer = csv.writer(response)
    writer.writerow(["# filters", json.dumps(filters.as_dict())])
    writer.writerow(["table", "row", "column", "value"])
    writer.writerows(measurement.export_rows(board))
    return response


# --- The recipient side reviews its records ----------------------------------------------


@login_required
def record_list(request):
    records = reviewable_by(request.user).select_related(*RECORD_RELATED)
    return render(request, "experts/measurement/record_list.html", {"records": records})


@login_required
@require_http_methods(["GET", "POST"])
def record_detail(request, pk):
    record = get_object_or_404(
        ExchangeRecord.objects.select_related(*RECORD_RELATED, "status_by"), pk=pk
    )
    if not can_review(record, request.user):
        raise Http404
    form = RecordReviewForm()
    status = 200
    if request.method == "POST":
        form = RecordReviewForm(request.POST)
        if form.is_valid():
            try:
                review(
                    record, request.user, form.cleaned_data["status"], form.cleaned_data["reason"]
                )
            except PermissionDenied:
                raise
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you: the record is now “%(status)s”.")
                    % {"status": record.get_status_display()},
                )
                return redirect("exchange_record_detail", pk=record.pk)
        messages.error(request, _("Please correct the errors below."))
        status = 400
    return render(
        request,
        "experts/measurement/record_detail.html",
        {
            "record": record,
            "form": form,
            "reviews": record.reviews.select_related("actor"),
            "themes": list(record.themes.all()),
        },
        status=status,
    )
