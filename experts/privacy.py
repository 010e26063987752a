"""What a viewer may see of an expert profile. The single reader of restricted fields.

Pages, templates and (later) search documents and APIs build a profile only from
`visible_profile(profile, viewer)`; a field the viewer may not see is absent from the
dict, not blanked, so a template cannot show it by mistake.
"""

from django.urls import reverse

from experts.models import (
    CONFIGURABLE_FIELDS,
    Availability,
    FieldVisibility,
    LanguageLevel,
    PrivacyPolicy,
    ProfileStatus,
    SupportOffer,
)
from experts.models.privacy import DEFAULT_PROFILE_TIERS, higher, rank

OWNER = "owner"


def viewer_tier(viewer, profile=None):
    """The tier of a viewer; "owner" when the viewer is the profile's expert."""
    from experts.vetting import can_vet

    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return FieldVisibility.PUBLIC
    if profile is not None and profile.user_id == viewer.pk:
        return OWNER
    if can_vet(viewer):
        return FieldVisibility.MODERATORS
    own = _own_profile(viewer)
    if own is not None and own.status == ProfileStatus.APPROVED:
        return FieldVisibility.EXPERTS
    return FieldVisibility.MEMBERS


def _own_profile(user):
    from experts.models import ExpertProfile

    try:
        return user.expert_profile
    except ExpertProfile.DoesNotExist:
        return None


def effective_tiers(profile, policy=None):
    """Field -> the tier that applies: the expert's choice raised to the policy's minimum."""
    minimums = (policy or PrivacyPolicy.current()).minimums()
    chosen = profile.visibility if isinstance(profile.visibility, dict) else {}
    tiers = {}
    for name in CONFIGURABLE_FIELDS:
        choice = chosen.get(name, DEFAULT_PROFILE_TIERS[name])
        tiers[name] = higher(choice, minimums[name])
    return tiers


def language_name(code):
    from django.utils.translation import get_language_info

    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def visible_profile(profile, viewer, *, policy=None, tier=None):
    """The fields of `profile` that `viewer` may see, as plain values for templates."""
    tier = tier or viewer_tier(viewer, profile)
    sees_all = tier in (OWNER, FieldVisibility.MODERATORS)
    tiers = effective_tiers(profile, policy)

    def may_see(name):
        return sees_all or rank(tiers[name]) <= rank(tier)

    data = {
        "id": profile.pk,
        "url": reverse("expert_detail", kwargs={"pk": profile.pk}),
        "display_name": profile.display_name,
        "professional_title": profile.professional_title,
        "pillars": list(profile.pillars.all()),
        "regions": list(profile.regions.all()),
        "themes": list(profile.themes.all()),
        "support_kinds": [
            SupportOffer(v).label for v in profile.support_kinds or [] if v in SupportOffer.values
        ],
        "is_focal_point": profile.is_focal_point,
        "is_owner": tier == OWNER,
    }
    if may_see("organisation") and profile.organisation:
        data["organisation"] = profile.organisation
    institution = profile.institution
    if may_see("institution") and institution is not None:
        if institution.is_published or sees_all:
            data["institution"] = institution
    if may_see("country"):
        data["country"] = profile.country
    if may_see("biography") and profile.biography:
        data["biography"] = profile.biography
    if may_see("photo") and profile.photo:
        data["photo_url"] = reverse("expert_photo", kwargs={"pk": profile.pk})
    if may_see("links"):
        data["links"] = [{"title": link.title, "url": link.url} for link in profile.links.all()]
    if may_see("languages"):
        data["languages"] = [
            {
                "code": lang.language,
                "name": language_name(lang.language),
                "level": LanguageLevel(lang.level).label
                if lang.level in LanguageLevel.values
                else lang.level,
                "level_code": lang.level,
            }
            for lang in profile.languages.all()
        ]
    if may_see("years_of_experience") and profile.years_of_experience is not None:
        data["years_of_experience"] = profile.years_of_experience
    if may_see("availability"):
        data["availability"] = Availability(profile.availability).label
    if sees_all:
        # Contact details and vetting state: the expert themself and moderators only.
        data["email"] = profile.email
        data["phone"] = profile.phone
        data["status"] = profile.status
        data["status_label"] = profile.get_status_display()
        data["tiers"] = {
            name: {"label": CONFIGURABLE_FIELDS[name], "tier": FieldVisibility(t).label}
            for name, t in tiers.items()
        }
    return data


# The tiers in order, lowest first: the visibility of the search documents of a profile.
SEARCH_TIERS = (
    FieldVisibility.PUBLIC,
    FieldVisibility.MEMBERS,
    FieldVisibility.EXPERTS,
    FieldVisibility.MODERATORS,
)


def search_tiers(viewer):
    """The tiers whose search documents `viewer` may read: their own tier and every lower
    one. Ownership plays no part here (it is per profile, search documents are not)."""
    tier = viewer_tier(viewer)
    return [str(t) for t in SEARCH_TIERS if rank(t) <= rank(tier)]


def visible_profile_for_tier(profile, tier, *, policy=None):
    """What any viewer of `tier` may see of `profile`, without a real user: what the search
    documents of that tier are built from. Contact details and vetting state are never
    part of it, whatever the tier (they are for the moderators' screens, not an index)."""
    if tier not in TIER_RANK_NAMES:
        raise ValueError(f"Unknown tier {tier!r}")
    data = visible_profile(profile, None, policy=policy, tier=FieldVisibility(tier))
    for private in ("email", "phone", "status", "status_label", "tiers", "is_owner"):
        data.pop(private, None)
    return data


TIER_RANK_NAMES = {str(t) for t in SEARCH_TIERS}


def can_view_profile(profile, viewer):
    """Approved profiles are on the roster; others only for their expert and moderators."""
    if profile.status == ProfileStatus.APPROVED:
        return True
    return viewer_tier(viewer, profile) in (OWNER, FieldVisibility.MODERATORS)


__all__ = [
    "OWNER",
    "SEARCH_TIERS",
    "can_view_profile",
    "effective_tiers",
    "search_tiers",
    "viewer_tier",
    "visible_profile",
    "visible_profile_for_tier",
]
