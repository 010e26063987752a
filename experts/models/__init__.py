from .institutions import Institution, InstitutionKind, InstitutionTheme
from .privacy import CONFIGURABLE_FIELDS, FieldVisibility, PrivacyPolicy
from .profiles import (
    Availability,
    ExpertLanguage,
    ExpertLink,
    ExpertProfile,
    ExpertTheme,
    LanguageLevel,
    ProfileStatus,
    SupportOffer,
    VettingAction,
    VettingDecision,
)

__all__ = [
    "CONFIGURABLE_FIELDS",
    "Availability",
    "ExpertLanguage",
    "ExpertLink",
    "ExpertProfile",
    "ExpertTheme",
    "FieldVisibility",
    "Institution",
    "InstitutionKind",
    "InstitutionTheme",
    "LanguageLevel",
    "PrivacyPolicy",
    "ProfileStatus",
    "SupportOffer",
    "VettingAction",
    "VettingDecision",
]
