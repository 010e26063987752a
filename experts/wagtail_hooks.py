"""The experts' part of the admin: the vetting queue and the institutions."""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from experts.admin_views import VettingProfileView, VettingQueueView
from experts.models import Institution
from experts.vetting import can_vet
from kx_platform.admin_menu import PerRequestMenuItem


@hooks.register("register_admin_urls")
def register_vetting_urls():
    return [
        path("experts/vetting/", VettingQueueView.as_view(), name="experts_vetting"),
        path(
            "experts/vetting/<int:pk>/",
            VettingProfileView.as_view(),
            name="experts_vetting_profile",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_vetting_menu_item():
    return PerRequestMenuItem(
        _("Expert vetting"), "experts_vetting", is_allowed=can_vet, icon_name="user", order=250
    )


class InstitutionDeleteView(DeleteView):
    """An institution that received exchange requests cannot be deleted (the requests are
    their requesters' history, on_delete=PROTECT): say so instead of failing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "This institution has received exchange requests: it cannot be deleted."
                    " Unpublish it instead."
                ),
            )
            return redirect(self.get_success_url())


class InstitutionViewSet(SnippetViewSet):
    model = Institution
    delete_view_class = InstitutionDeleteView
    icon = "home"
    menu_label = _("Institutions")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "kind", "country", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name", "slug"]
    search_backend_name = None


register_snippet(InstitutionViewSet)


# --- Exchange requests and South-South exchange records --------------------------------

from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList  # noqa: E402

from experts.exchange_admin_views import (  # noqa: E402
    ExchangeAdminView,
    ExchangeListView,
    ExchangeRecordExportView,
)
from experts.exchange_record_forms import ExchangeRecordAdminForm  # noqa: E402
from experts.models import ExchangeRecord  # noqa: E402


@hooks.register("register_admin_urls")
def register_exchange_urls():
    return [
        path("experts/exchanges/", ExchangeListView.as_view(), name="experts_exchanges"),
        path(
            "experts/exchanges/<int:pk>/",
            ExchangeAdminView.as_view(),
            name="experts_exchange_admin",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_exchange_menu_item():
    return PerRequestMenuItem(
        _("Exchange requests"),
        "experts_exchanges",
        is_allowed=can_vet,
        icon_name="mail",
        order=255,
    )


class ExchangeRecordViewSet(SnippetViewSet):
    """Records are made from completed requests or entered here by moderators. The
    confirmation (pending, confirmed, disputed) is the recipient side's, never edited here."""

    model = ExchangeRecord
    icon = "doc-full"
    menu_label = _("Exchange records")
    menu_order = 265
    add_to_admin_menu = True
    list_display = [
        "provider_country",
        "recipient_country",
        "modality",
        "support_kind",
        "start_date",
        "status",
    ]
    list_filter = ["modality", "support_kind", "status"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("provider_country"), FieldPanel("recipient_country")]),
            FieldRowPanel([FieldPanel("modality"), FieldPanel("support_kind")]),
            FieldPanel("pillar"),
            FieldPanel("themes"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            FieldRowPanel([FieldPanel("value"), FieldPanel("currency")]),
            FieldRowPanel([FieldPanel("practice"), FieldPanel("practice_use")]),
            FieldPanel("expert"),
        ],
        base_form_class=ExchangeRecordAdminForm,
    )


register_snippet(ExchangeRecordViewSet)


@hooks.register("register_admin_urls")
def register_exchange_record_export_url():
    return [
        path(
            "experts/exchange-records/export.csv",
            ExchangeRecordExportView.as_view(),
            name="experts_exchange_records_export",
        ),
    ]
