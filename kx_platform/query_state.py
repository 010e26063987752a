"""The state of a filtered list (text, facet values, sort) carried in its URL.

The practice list and the search page both keep everything in the query string, so a
list can be shared and the back button works; this class builds their links.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator


class QueryState:
    def __init__(self, path, *, text="", filters=None, sort="", default_sort=""):
        self.path = path
        self.text = text
        self.filters = {facet: list(values) for facet, values in (filters or {}).items()}
        self.sort = sort
        self.default_sort = default_sort

    def pairs(self, toggle=None, **changes):
        """Query-string pairs, with one facet value toggled and some parameters replaced."""
        state = {"q": [self.text] if self.text else []}
        state.update({facet: list(values) for facet, values in self.filters.items()})
        if toggle:
            facet, value = toggle
            values = state.get(facet, [])
            state[facet] = (
                [v for v in values if v != value] if value in values else [*values, value]
            )
        state["sort"] = [self.sort] if self.sort and self.sort != self.default_sort else []
        state.update(changes)
        return [(key, value) for key, values in state.items() for value in values]

    def url(self, toggle=None, **changes):
        pairs = self.pairs(toggle, **changes)
        return f"{self.path}?{urlencode(pairs)}" if pairs else self.path

    def toggle_url(self, facet, value):
        return self.url(toggle=(facet, value))

    def sort_url(self, sort):
        return self.url(sort=[sort] if sort != self.default_sort else [])

    def page_url(self, number):
        return self.url(page=[str(number)] if number > 1 else [])

    def page_links(self, paginator, number):
        if paginator.num_pages <= 1:
            return []
        return [
            {
                "number": n,
                "url": None if n == Paginator.ELLIPSIS else self.page_url(n),
                "current": n == number,
            }
            for n in paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
        ]

    def chips(self, labels, include_text=False):
        """Removable chips for the active filters; `labels` is {facet: (label, {value: label})}."""
        chips = []
        if include_text and self.text:
            chips.append({"label": f"“{self.text}”", "url": self.url(q=[])})
        for facet, values in self.filters.items():
            facet_label, vocabulary = labels[facet]
            for value in values:
                chips.append(
                    {
                        "facet": facet_label,
                        "label": str(vocabulary.get(value, value)),
                        "url": self.toggle_url(facet, value),
                    }
                )
        return chips
