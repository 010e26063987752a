from .pages import GoodPracticePage, PracticeIndexPage, PracticeTheme

__all__ = ["GoodPracticePage", "PracticeIndexPage", "PracticeTheme"]
