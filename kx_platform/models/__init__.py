from .pages import HomePage
from .taxonomy import (
    UN_LANGUAGES,
    Country,
    LocalizedText,
    Pillar,
    Region,
    Theme,
    active_language_code,
)

__all__ = [
    "UN_LANGUAGES",
    "Country",
    "HomePage",
    "LocalizedText",
    "Pillar",
    "Region",
    "Theme",
    "active_language_code",
]
