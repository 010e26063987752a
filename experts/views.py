"""The roster pages: apply, list, profile, photo; institutions and their experts.

Every profile shown is the dict of `visible_profile(profile, request.user)`. The roster
list asks the search service (documents of the viewer's tiers only, see
search.documents.ExpertDocument) for the matching experts, facet counts and the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from experts.forms import ExpertProfileForm, LanguageFormSet, LinkFormSet
from experts.models import ExpertProfile, Institution, PrivacyPolicy, ProfileStatus
from experts.privacy import OWNER, can_view_profile, viewer_tier, visible_profile
from kx_platform import vocabularies
from kx_platform.query_state import QueryState

PER_PAGE = 24
EDITABLE = {ProfileStatus.DRAFT, ProfileStatus.NEEDS_INFO, ProfileStatus.APPROVED}
PROFILE_PREFETCH = ["pillars", "regions", "theme_items__tag", "languages", "links"]
# The roster's facets, in the order of the filter form.
ROSTER_FACETS = [
    "pillar",
    "region",
    "country",
    "theme",
    "lang",
    "support",
    "availability",
    "focal",
    "institution",
]


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


def roster_search(params, user):
    """(results, hits of the page): the search service's answer for the roster.

    With search text, hits come by relevance. Browsing without text, country focal points
    come first, then the other experts, each group most recently approved first (the
    documents' date; ties keep the index's stable order). The service pages one ordered
    list, so a page that spans both groups is stitched from the focal points' list and
    the others' (the "focal" facet holds "no" for them, never offered as a filter): each
    expert appears on exactly one page. Facets and the total come from the main search.
    """
    from search.service import SearchRequest, search

    common = {"text": params.text, "language": params.language, "user": user}
    filters = {**params.filters, "type": ["expert"]}
    results = search(
        SearchRequest(
            filters=filters,
            facets=ROSTER_FACETS,
            page=params.page,
            per_page=PER_PAGE,
            **common,
        )
    )
    focal = results.facets.get("focal", {}).get("yes", 0)
    if params.text or "focal" in params.filters or focal in (0, results.total):
        return results, results.hits

    def part(value, start, stop):
        """Hits start..stop of one group, from the one or two pages that hold them."""
        first, last = start // PER_PAGE + 1, (stop - 1) // PER_PAGE + 1
        hits = []
        for page in range(first, last + 1):
            request = SearchRequest(
                filters={**filters, "focal": [value]},
                facets=[],
                page=page,
                per_page=PER_PAGE,
                **common,
            )
            hits += search(request).hits
        offset = (first - 1) * PER_PAGE
        return hits[start - offset : stop - offset]

    start = (results.page - 1) * PER_PAGE
    stop = min(start + PER_PAGE, results.total)
    hits = []
    if start < focal:
        hits += part("yes", start, min(stop, focal))
    if stop > focal:
        hits += part("no", max(start, focal) - focal, stop - focal)
    return results, hits


def roster(request):
    """Text search and facets over the experts, through the search service.

    The service reads only documents of the viewer's tiers, so neither a hit, nor a
    snippet, nor a facet count can come from a field the viewer may not see; each card is
    then built from `visible_profile(profile, request.user)` itself.
    """
    from search.params import read_params
    from search.views import facet_groups

    params = read_params(request.GET, language=get_language(), facet_params=ROSTER_FACETS)
    results, hits = roster_search(params, request.user)
    # One query for the page's profiles; one whose status changed since it was indexed
    # (not yet drained) is left out.
    ids = [hit.object_id for hit in hits]
    profiles = roster_queryset().in_bulk(ids)
    shown = [(hit, profiles[hit.object_id]) for hit in hits if hit.object_id in profiles]
    cards = visible_profiles([profile for _hit, profile in shown], request.user)
    if params.text:
        for card, (hit, _profile) in zip(cards, shown, strict=True):
            card["snippet"] = hit.snippet

    state = QueryState(request.path, text=params.text, filters=params.filters)
    labels = {
        facet: (vocabularies.FACETS[facet][0], vocabularies.FACETS[facet][1]())
        for facet in ROSTER_FACETS
    }
    return render(
        request,
        "experts/roster.html",
        {
            "params": params,
            "results": results,
            "cards": cards,
            "count": results.total,
            "facets": facet_groups(results, params, labels, state.toggle_url, ROSTER_FACETS),
            "chips": state.chips({f: labels[f] for f in params.filters}),
            "clear_url": state.url(**{facet: [] for facet in params.filters}),
            "page_links": state.page_links(
                Paginator(range(results.total), results.per_page), results.page
            ),
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
    from practices.queries import practices_for_display

    profile = _profile_or_404(request, pk)
    practices = (
        practices_for_display()
        .filter(contact_experts=profile)
        .select_related("locale")
        .order_by("title")
    )
    return render(
        request,
        "experts/profile.html",
        {"expert": visible_profile(profile, request.user), "practices": list(practices)},
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
