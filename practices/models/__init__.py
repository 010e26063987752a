from .guidebook import (
    CommentPeriod,
    CommentStatus,
    GuidebookChapter,
    GuidebookComment,
    GuidebookIndexPage,
    GuidebookPage,
    GuidebookSelection,
    GuidebookSnapshot,
)
from .pages import GoodPracticePage, PracticeIndexPage, PracticeTheme

__all__ = [
    "CommentPeriod",
    "CommentStatus",
    "GoodPracticePage",
    "GuidebookChapter",
    "GuidebookComment",
    "GuidebookIndexPage",
    "GuidebookPage",
    "GuidebookSelection",
    "GuidebookSnapshot",
    "PracticeIndexPage",
    "PracticeTheme",
]
