"""feedlint: a data-quality linter for news-CMS feed exports."""

__version__ = "0.1.0"
