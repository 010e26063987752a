from django.core.management.base import BaseCommand

from search.backends import elasticsearch_configured
from search.backends.embedded import get_index
from search.backends.embedded_phrases import PhraseIndex, stored
from search.documents import DOCUMENTS
from search.models import OutboxEntry


class Command(BaseCommand):
    help = "Documents per type in the database and in each index, and the outbox backlog."

    def handle(self, *args, **options):
        embedded = get_index().counts()
        elastic = None
        if elasticsearch_configured():
            from search.backends.elastic import get_elastic_backend

            backend = get_elastic_backend()
            elastic = backend.counts() if backend.available() else "unreachable"
        header = f"{'type':<12}{'database':>10}{'embedded':>10}"
        if elastic is not None:
            header += f"{'elasticsearch':>15}"
        self.stdout.write(header)
        for name, document in DOCUMENTS.items():
            restricted = document.restricted_paths()
            in_db = sum(1 for o in document.get_queryset() if document.should_index(o, restricted))
            line = f"{name:<12}{in_db:>10}{embedded.get(name, 0):>10}"
            if isinstance(elastic, dict):
                line += f"{elastic.get(name, 0):>15}"
            elif elastic:
                line += f"{elastic:>15}"
            self.stdout.write(line)
        self.stdout.write(embedded_status())
        pending_embedded = OutboxEntry.objects.filter(embedded_done=False).count()
        self.stdout.write(f"outbox: {pending_embedded} waiting for the embedded index")
        if elastic is not None:
            pending = OutboxEntry.objects.filter(elasticsearch_done=False).count()
            self.stdout.write(f"outbox: {pending} waiting for Elasticsearch")
        self.stdout.write(phrase_status(get_index()))


def embedded_status():
    """This host's index file: its documents, how far into the outbox it is, and whether
    it can serve (search.readiness)."""
    from search.readiness import index_state, problem

    index = get_index()
    state = index_state(index)
    if not state.present:
        line = f"embedded index: {index.path} is missing"
    else:
        position = "unknown" if state.position is None else state.position
        line = (
            f"embedded index: {index.path}, {state.documents} documents, outbox position {position}"
        )
    reason = problem(state)
    if reason == "empty":
        line += "; NOT READY: empty while practices are published (run `search_catch_up`)"
    elif reason == "missed_changes" or state.missed_changes:
        line += (
            f"; missed changes another host's index took (position {state.shared_position}"
            " there): one host only, or Elasticsearch; `search_catch_up` rebuilds it"
        )
    return line


def phrase_status(index):
    """How many glossary phrases the embedded index holds as tokens, and how many it
    matches by position until the next rebuild (search.backends.embedded_phrases)."""
    from search.glossary import get_glossary

    if index.conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None:
        return "glossary phrases: chosen when the first document is indexed"
    held = stored(index.conn)
    current = PhraseIndex.from_glossary(get_glossary())
    later = sum(
        1
        for language, tokens in current.tokens.items()
        for phrase in tokens
        if held.token(language, phrase) is None
    )
    line = f"glossary phrases: {len(held)} held as tokens in the embedded index"
    if later:
        line += f"; {later} newer ones matched by position until `search_rebuild`"
    return line
