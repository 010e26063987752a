"""The roster pages: apply, list, profile, photo; institutions and their experts.

Every profile shown is the dict of `visible_profile(profile, request.user)`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from experts.forms import ExpertProfileForm, LanguageFormSet, LinkFormSet
from experts.models import ExpertProfile, Institution, PrivacyPolicy, ProfileStatus
from experts.privacy import OWNER, can_view_profile, viewer_tier, visible_profile
from kx_platform.models import Country, Pillar, Region

PER_PAGE = 24
EDITABLE = {ProfileStatus.DRAFT, ProfileStatus.NEEDS_INFO, ProfileStatus.APPROVED}
PROFILE_PREFETCH = ["pillars", "regions", "theme_items__tag", "languages", "links"]


def roster_queryset():
    return (
        ExpertProfile.objects.filter(status=ProfileStatus.APPROVED)
        .select_related("country", "institution")
        .prefetch_related(*PROFILE_PREFETCH)
    )


def visible_profiles(profiles, user):
    """Build every card with one policy read and one tier computation."""
    policy = PrivacyPolicy.current()
    base = viewer_tier(user)
    return [
        visible_profile(
            p,
            user,
            policy=policy,
            tier=OWNER if user.is_authenticated and p.user_id == user.pk else base,
        )
        for p in profiles
    ]


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    profile = ExpertProfile.objects.filter(user=request.user).first()
    if profile is not None and profile.status not in EDITABLE:
        return render(request, "experts/apply_closed.html", {"profile": profile}, status=200)
    if profile is None:
        profile = ExpertProfile(user=request.user, email=request.user.email)
    is_new = profile.pk is None

    if request.method == "POST":
        form = ExpertProfileForm(request.POST, request.FILES, instance=profile)
        languages = LanguageFormSet(request.POST, instance=profile, prefix="languages")
        links = LinkFormSet(request.POST, instance=profile, prefix="links")
        submitting = request.POST.get("action") == "submit"
        if form.is_valid() and languages.is_valid() and links.is_valid():
            with transaction.atomic():
                saved = form.save(commit=False)
                if submitting and saved.status in (ProfileStatus.DRAFT, ProfileStatus.NEEDS_INFO):
                    saved.status = ProfileStatus.SUBMITTED
                    saved.submitted_at = timezone.now()
                saved.save()
                form.save_m2m()
                languages.instance = saved
                languages.save()
                links.instance = saved
                links.save()
            if saved.status == ProfileStatus.SUBMITTED:
                messages.success(
                    request,
                    _("Thank you. Your profile was sent to the moderators for vetting."),
                )
            else:
                messages.success(request, _("Your profile was saved."))
            return redirect("expert_apply")
        messages.error(request, _("Please correct the errors below."))
    else:
        form = ExpertProfileForm(instance=profile)
        languages = LanguageFormSet(instance=profile, prefix="languages")
        links = LinkFormSet(instance=profile, prefix="links")

    decisions = [] if is_new else profile.decisions.exclude(reason="")[:5]
    return render(
        request,
        "experts/apply.html",
        {
            "form": form,
            "languages": languages,
            "links": links,
            "profile": profile,
            "is_new": is_new,
            "decisions": decisions,
            "can_submit": profile.status in (ProfileStatus.DRAFT, ProfileStatus.NEEDS_INFO),
        },
    )


def _choice(request, name, valid):
    value = request.GET.get(name, "")
    return value if value in valid else ""


def roster(request):
    pillars = list(Pillar.objects.all())
    regions = list(Region.objects.all())
    selected = {
        "pillar": _choice(request, "pillar", {str(p.number) for p in pillars}),
        "region": _choice(request, "region", {r.slug for r in regions}),
    }
    profiles = roster_queryset()
    if selected["pillar"]:
        profiles = profiles.filter(pillars__number=selected["pillar"])
    if selected["region"]:
        profiles = profiles.filter(regions__slug=selected["region"])
    cards = visible_profiles(profiles.distinct(), request.user)
    # The country filter works on what the viewer may see, and only offers countries the
    # viewer can see: a hidden country must not be revealed by a profile turning up.
    countries = sorted({c["country"] for c in cards if c.get("country")}, key=lambda c: c.name)
    country = request.GET.get("country", "").upper()
    selected["country"] = country if Country.objects.filter(code=country).exists() else ""
    if selected["country"]:
        cards = [c for c in cards if c.get("country") and c["country"].code == selected["country"]]

    page = Paginator(cards, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page_links = []
    if page.paginator.num_pages > 1:
        for number in page.paginator.page_range:
            query["page"] = number
            page_links.append(
                {"number": number, "url": f"?{query.urlencode()}", "current": number == page.number}
            )
    return render(
        request,
        "experts/roster.html",
        {
            "page": page,
            "cards": page.object_list,
            "count": len(cards),
            "pillars": pillars,
            "regions": regions,
            "countries": countries,
            "selected": selected,
            "page_links": page_links,
        },
    )


def _profile_or_404(request, pk):
    profile = get_object_or_404(
        ExpertProfile.objects.select_related("country", "institution").prefetch_related(
            *PROFILE_PREFETCH
        ),
        pk=pk,
    )
    if not can_view_profile(profile, request.user):
        raise Http404
    return profile


def profile_detail(request, pk):
    profile = _profile_or_404(request, pk)
    return render(
        request,
        "experts/profile.html",
        {"expert": visible_profile(profile, request.user)},
    )


def profile_photo(request, pk):
    """The photo, only for viewers its tier allows (its file name is random too)."""
    profile = _profile_or_404(request, pk)
    if "photo_url" not in visible_profile(profile, request.user):
        raise Http404
    response = FileResponse(profile.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=600"
    return response


def institution_list(request):
    institutions = Institution.objects.filter(is_published=True).select_related("country")
    return render(request, "experts/institution_list.html", {"institutions": institutions})


def institution_detail(request, slug):
    institution = get_object_or_404(
        Institution.objects.prefetch_related("pillars", "theme_items__tag"),
        slug=slug,
        is_published=True,
    )
    cards = visible_profiles(roster_queryset().filter(institution=institution), request.user)
    # Only experts who let this viewer see their institution are listed under it.
    cards = [c for c in cards if c.get("institution") == institution]
    return render(
        request,
        "experts/institution_detail.html",
        {"institution": institution, "cards": cards},
    )
