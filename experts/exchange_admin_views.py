"""Exchange requests in the Wagtail admin: every request, by state, and closing abusive ones.

Moderators only (experts.vet_expert), checked here on the server and again in transition().
"""

import csv
from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from experts.admin_views import ModeratorOnlyMixin
from experts.exchange_forms import CloseForm
from experts.exchange_records import EXPORT_HEADER, export_rows
from experts.exchanges import transition
from experts.models import ExchangeRequest, ExchangeState
from experts.models.exchanges import OPEN_STATES

PER_PAGE = 100


class ExchangeListView(ModeratorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "experts/admin/exchange_list.html"
    page_title = gettext_lazy("Exchange requests")
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        if state not in ExchangeState.values:
            state = ""
        requests = ExchangeRequest.objects.select_related(
            "requester", "expert", "institution", "requesting_country"
        )
        if state:
            requests = requests.filter(state=state)
        base = reverse("experts_exchanges")
        context.update(
            state=state,
            states=[{"key": "", "label": _("All"), "url": base}]
            + [
                {"key": value, "label": label, "url": f"{base}?state={value}"}
                for value, label in ExchangeState.choices
            ],
            requests=requests[:PER_PAGE],
        )
        return context


class ExchangeAdminView(ModeratorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "experts/admin/exchange_detail.html"
    page_title = gettext_lazy("Exchange request")
    header_icon = "mail"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.req = get_object_or_404(
            ExchangeRequest.objects.select_related(
                "requester", "expert", "institution", "requesting_country", "responder"
            ),
            pk=kwargs["pk"],
        )

    def get_page_subtitle(self):
        return self.req.topic

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse_lazy("experts_exchanges"), "label": _("Exchange requests")},
            {"url": "", "label": self.req.topic},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            req=self.req,
            events=self.req.events.select_related("actor"),
            can_close=self.req.state in OPEN_STATES,
            form=form or CloseForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                transition(
                    self.req, request.user, ExchangeState.CANCELLED, form.cleaned_data["reason"]
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, getattr(error, "messages", None) or str(error))
            else:
                messages.success(request, _("The request was closed."))
                return redirect("experts_exchange_admin", pk=self.req.pk)
        return self.render_to_response(self.get_context_data(form=form))


class _Echo:
    def write(self, value):
        return value


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class ExchangeRecordExportView(ModeratorOnlyMixin, View):
    """Every exchange record, one CSV row each, for moderators' reporting (SDG 17.3.1)."""

    def get(self, request):
        writer = csv.writer(_Echo())
        rows = (
            writer.writerow([spreadsheet_safe(v) for v in row])
            for row in chain([EXPORT_HEADER], export_rows())
        )
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kx-exchange-records.csv"'
        return response
