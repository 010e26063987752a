"""The vetting queue in the Wagtail admin. Moderators only (checked here, on the server)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from experts.forms import DecisionForm
from experts.models import ExpertProfile, ProfileStatus
from experts.privacy import visible_profile
from experts.vetting import allowed_actions, can_vet, decide

QUEUES = {
    "submitted": (gettext_lazy("Waiting for vetting"), [ProfileStatus.SUBMITTED]),
    "needs_info": (gettext_lazy("Information requested"), [ProfileStatus.NEEDS_INFO]),
    "approved": (gettext_lazy("Approved"), [ProfileStatus.APPROVED]),
    "suspended": (gettext_lazy("Suspended"), [ProfileStatus.SUSPENDED]),
    "rejected": (gettext_lazy("Rejected"), [ProfileStatus.REJECTED]),
}


class ModeratorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_vet(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class VettingQueueView(ModeratorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "experts/admin/vetting_queue.html"
    page_title = gettext_lazy("Expert vetting")
    header_icon = "user"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = self.request.GET.get("status", "submitted")
        if queue not in QUEUES:
            queue = "submitted"
        label, statuses = QUEUES[queue]
        profiles = (
            ExpertProfile.objects.filter(status__in=statuses)
            .select_related("country", "user")
            .order_by("submitted_at", "pk")
        )
        context.update(
            queue=queue,
            queue_label=label,
            queues=[
                {
                    "key": key,
                    "label": lbl,
                    "count": ExpertProfile.objects.filter(status__in=sts).count(),
                    "url": f"{reverse('experts_vetting')}?status={key}",
                }
                for key, (lbl, sts) in QUEUES.items()
            ],
            profiles=profiles,
        )
        return context


class VettingProfileView(ModeratorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "experts/admin/vetting_profile.html"
    page_title = gettext_lazy("Vet an expert")
    header_icon = "user"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.profile = get_object_or_404(ExpertProfile, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.profile.display_name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse_lazy("experts_vetting"), "label": _("Expert vetting")},
            {"url": "", "label": self.profile.display_name},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = allowed_actions(self.profile)
        context.update(
            profile=self.profile,
            expert=visible_profile(self.profile, self.request.user),
            form=form or DecisionForm(actions=actions),
            has_actions=bool(actions),
            decisions=self.profile.decisions.select_related("moderator"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST, actions=allowed_actions(self.profile))
        if form.is_valid():
            try:
                decision = decide(
                    self.profile,
                    request.user,
                    form.cleaned_data["action"],
                    form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(action)s: %(name)s")
                    % {"action": decision.get_action_display(), "name": self.profile.display_name},
                )
                return redirect("experts_vetting_profile", pk=self.profile.pk)
        return self.render_to_response(self.get_context_data(form=form))
