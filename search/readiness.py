"""Whether this host's embedded index can serve, and bringing it up to date at start.

The embedded index is a file of this host (search.backends.embedded). A host must not
serve it empty, nor behind, without saying so:

- `check()` is /readyz's "search_index" (kx_platform.health): not ready when the file is
  missing or holds no document while the database has published practices, or (without
  Elasticsearch) when the file missed outbox entries another host's index took (its
  outbox position is behind the shared one, search.outbox). A load balancer then takes
  the host out; a warning is logged once each time the state turns bad.
- `catch_up()` (`manage.py search_catch_up`, run by gunicorn's master before it forks
  its workers, kx_platform/gunicorn.conf.py) rebuilds a file that is missing or empty
  while there is published content, or behind (with Elasticsearch as well: only a
  rebuild brings back what it missed), and then applies what the outbox holds.

With Elasticsearch the embedded index still serves title suggestions and the searches
made while the cluster does not answer: an empty file makes the host not ready there too.
"""

import logging
import time
from dataclasses import dataclass

from search import outbox
from search.backends import elasticsearch_configured

logger = logging.getLogger(__name__)

_warned = set()  # the states this process has warned about (again after a recovery)


@dataclass
class IndexState:
    present: bool
    documents: int
    position: int | None  # the last outbox entry the file took
    shared_position: int | None  # the last one any host's embedded index took

    @property
    def missed_changes(self):
        return self.shared_position is not None and (self.position or 0) < self.shared_position


def index_state(index=None):
    from search.backends.embedded import get_index

    index = index or get_index()
    try:
        shared = outbox.shared_position()  # first: a drain then raises the file's position
    except Exception:
        shared = None
    return IndexState(
        present=index.path.exists(),
        documents=index.document_count(),
        position=index.outbox_position(),
        shared_position=shared,
    )


def published_content():
    """Whether the database has something search must find (a live, public practice)."""
    from practices.models import GoodPracticePage

    return GoodPracticePage.objects.live().public().exists()


def problem(state):
    """Why this host's embedded index must not serve ("empty", "missed_changes"), or None."""
    if state.documents == 0 and published_content():
        return "empty"
    if state.missed_changes and not elasticsearch_configured():
        return "missed_changes"
    return None


WARNINGS = {
    "empty": (
        "The embedded search index %s is missing or empty while the database has published"
        " practices: this host is not ready. Run `manage.py search_catch_up` (it rebuilds it)."
    ),
    "missed_changes": (
        "The embedded search index %s missed changes another host's index took (outbox"
        " position %s, elsewhere %s): this host is not ready. The embedded index serves one"
        " host: with several, set ELASTICSEARCH_URL; `manage.py search_catch_up` rebuilds it."
    ),
}


def check():
    """/readyz's answer: {"ok", "documents"} and, without Elasticsearch, "missed_changes"."""
    from search.backends.embedded import get_index

    index = get_index()
    state = index_state(index)
    reason = problem(state)
    result = {"ok": reason is None, "documents": state.documents}
    if not elasticsearch_configured():
        result["missed_changes"] = reason == "missed_changes"
    if reason is None:
        _warned.clear()
    elif reason not in _warned:
        _warned.add(reason)
        if reason == "empty":
            logger.warning(WARNINGS[reason], index.path)
        else:
            logger.warning(WARNINGS[reason], index.path, state.position, state.shared_position)
    return result


def catch_up(index=None):
    """Bring this host's embedded index up to date; return a line saying what was done."""
    from search.backends.embedded import get_index
    from search.documents import DOCUMENTS

    index = index or get_index()
    with index.exclusive():  # a rebuild or drain of another process first
        state = index_state(index)
        reason = problem(state)
        if reason is None and state.missed_changes:
            # With Elasticsearch too: the file still serves suggestions, and only a
            # rebuild brings back what it missed (the entries are done).
            reason = "missed_changes"
        if reason is None and not state.present:
            reason = "missing"  # nothing published yet: an empty file will do
        said = []
        if reason in ("empty", "missed_changes"):
            what = "missing" if not state.present else reason.replace("_", " ")
            started = time.monotonic()
            count = index.rebuild(DOCUMENTS.values())
            said.append(
                f"rebuilt ({what}): {count} documents in {time.monotonic() - started:.1f} s"
            )
        elif reason == "missing":
            index.conn  # noqa: B018 - creates the empty file
            said.append("created (nothing published yet)")
        applied = outbox.drain(index, outbox.EMBEDDED)
    said.append(f"{applied} outbox entries applied")
    return f"Embedded index {index.path}: " + "; ".join(said) + "."
