"""The search page's state in its URL: toggling a facet, sorting, paging."""

from urllib.parse import urlencode

from django.core.paginator import Paginator


class SearchState:
    def __init__(self, path, params):
        self.path = path
        self.params = params

    def pairs(self, toggle=None, **changes):
        state = {"q": [self.params.text] if self.params.text else []}
        for facet, values in self.params.filters.items():
            state[facet] = list(values)
        if toggle:
            facet, value = toggle
            values = state.setdefault(facet, [])
            state[facet] = (
                [v for v in values if v != value] if value in values else [*values, value]
            )
        state["sort"] = [self.params.sort] if self.params.sort != "relevance" else []
        state.update(changes)
        return [(k, v) for k, values in state.items() for v in values]

    def url(self, toggle=None, **changes):
        pairs = self.pairs(toggle=toggle, **changes)
        return f"{self.path}?{urlencode(pairs)}" if pairs else self.path

    def sort_url(self, sort):
        return self.url(sort=[sort] if sort != "relevance" else [])

    def page_url(self, number):
        return self.url(page=[str(number)] if number > 1 else [])

    def page_links(self, results):
        if results.num_pages <= 1:
            return []
        paginator = Paginator(range(results.total), results.per_page)
        return [
            {
                "number": n,
                "url": None if n == Paginator.ELLIPSIS else self.page_url(n),
                "current": n == results.page,
            }
            for n in paginator.get_elided_page_range(results.page, on_each_side=2, on_ends=1)
        ]

    @property
    def clear_url(self):
        return (
            self.url(**{facet: [] for facet in self.params.filters})
            if self.params.text
            else (self.path)
        )

    def chips(self, vocabularies_by_facet):
        chips = []
        for facet, values in self.params.filters.items():
            label, vocabulary_of = vocabularies_by_facet[facet]
            vocabulary = vocabulary_of()
            for value in values:
                chips.append(
                    {
                        "facet": label,
                        "label": str(vocabulary.get(value, value)),
                        "url": self.url(toggle=(facet, value)),
                    }
                )
        return chips
