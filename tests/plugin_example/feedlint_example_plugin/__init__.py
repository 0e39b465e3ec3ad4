"""Example plugin: flags headlines written in capitals."""

from feedlint.api import Hit, Option, bad, good, rule


@rule(
    "XM001",
    "shouting-title",
    "warning",
    options=[Option("min-letters", 8, "only titles with at least this many letters")],
    examples=[bad({"content_title": "BREAKING NEWS TODAY"}, pointers=["/content_title"]), good({"content_title": "Calm news"})],
)
def shouting_title(record, options):
    """A headline written in capital letters."""
    title = record.get("content_title")
    if isinstance(title, str):
        letters = [c for c in title if c.isalpha()]
        if len(letters) >= options["min-letters"] and all(c.isupper() for c in letters):
            yield Hit("/content_title", "headline is all capitals", evidence=title)


RULES = [shouting_title]
