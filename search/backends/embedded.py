"""The embedded search index: SQLite FTS5 in a file of its own, no server needed.

Text is analysed in Python (search.analysis) the way Elasticsearch's language analyzers
do it, and only the analysed tokens reach FTS5, each prefixed with the document's
language (`ar_رهاب`, `fr_extrem`), so one FTS5 query can ask each language in its own
terms. Each facet value is a token of the `filters` column, for filtering in the same
MATCH, and a row of the `facets` table, which embedded_bitmaps reads to count; each
glossary phrase occurring in a document is a token too (embedded_phrases). A document's
versions in several languages share a translation key; results keep the best one.

The index file sits beside the database by default (var/search.sqlite3), whatever the
main database is; a rebuild writes a new file and swaps it in atomically.

The file is this host's: the web processes and the task workers of one host share it
(var/), and the outbox's `embedded_done` flag says it took a change. So the embedded index
serves one host; several hosts search Elasticsearch (KX_APP_HOSTS, search.checks). The
file records how far into the outbox it has read (`outbox_position`), so a host whose file
missed changes another file took is found out (search.readiness), never served silently.
A rebuild and the outbox's writes take turns through a lock file beside the index (a
change drained into the old file while a rebuild reads the database would be lost at
the swap).
"""

import fcntl
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from search.analysis import analyze_standard, analyze_tagged
from search.backends import embedded_phrases
from search.backends.embedded_build import build_batches
from search.backends.embedded_phrases import PhraseIndex

logger = logging.getLogger(__name__)

SEPARATOR = "_"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    translation_key TEXT NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT NOT NULL,
    published_at TEXT,
    visibility TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_published ON docs (visibility, published_at);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    title, summary, body, themes, filters,
    tokenize="unicode61 remove_diacritics 0 tokenchars '{SEPARATOR}'"
);
CREATE TABLE IF NOT EXISTS facets (
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (facet, value, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facets_doc ON facets (doc, facet, value);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS suggest_fts USING fts5(
    norm, text UNINDEXED, kind UNINDEXED, language UNINDEXED, url UNINDEXED,
    visibility UNINDEXED,
    tokenize="unicode61 remove_diacritics 2", prefix='1 2 3'
);
"""
WEIGHTS = "10.0, 4.0, 1.0, 3.0, 0.0"  # title, summary, body, themes, filters
SCHEMA_VERSION = 4  # PRAGMA user_version; a file of another version is emptied (connect())


def facet_token(facet, value):
    """The token of a facet value in the `filters` column (hex: any value, one token)."""
    return f"f{SEPARATOR}{facet}{SEPARATOR}{str(value).encode().hex()}"


def index_path():
    configured = getattr(settings, "KX_SEARCH_INDEX", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "search.sqlite3"


def stale_doc_ids(document, prepared, delete_ids):
    """The ids of every document of the objects in `delete_ids`, but those being written."""
    keep = {data["id"] for data in prepared}
    return [d for i in delete_ids for d in document.doc_ids(i) if d not in keep]


def connect(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-65536")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        if "docs" in tables:
            logger.warning(
                "The search index %s has an older layout: it is emptied; run"
                " `manage.py search_rebuild` to fill it.",
                path,
            )
            for table in ("docs", "docs_fts", "facets", "suggest_fts", "meta"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 - fixed names
        conn.executescript(SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn


def bump_generation(conn):
    """Mark the index as changed: readers rebuild their bitmaps (embedded_bitmaps)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('generation', lower(hex(randomblob(8))))"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )


FTS_TABLES = ("docs_fts", "suggest_fts")
DEFAULT_AUTOMERGE = 4  # FTS5's own default


def set_automerge(conn, value):
    for table in FTS_TABLES:
        conn.execute(
            f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', ?)",  # noqa: S608
            (value,),
        )


def phrases_for_writing(conn):
    """The glossary phrases every document of this index file carries as tokens
    (embedded_phrases): fixed when the first document is written."""
    phrases = embedded_phrases.stored(conn)
    if not len(phrases) and conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is None:
        from search.glossary import get_glossary

        embedded_phrases.store(conn, PhraseIndex.from_glossary(get_glossary()))
        phrases = embedded_phrases.stored(conn)  # the object readers of the file share
    return phrases


@lru_cache(maxsize=4096)
def themes_text(phrases, themes):
    """The `themes` column of a document whose themes are ((language, names), ...): the
    same few combinations come back document after document."""
    return " ".join(
        phrases.with_phrases(analyze_tagged(text, code, f"{code}{SEPARATOR}"), code)
        for code, text in themes
        if text
    )


def index_rows(data, phrases):
    """What one prepared document writes, analysed (no rowids yet): (docs row, docs_fts
    row, facet pairs, suggestion rows), its text followed by the tokens of the glossary
    `phrases` (a PhraseIndex) it holds. Pure, so worker processes can make it."""
    language = data["language"]
    published = data["published_at"].isoformat() if data["published_at"] else None
    doc = (
        data["id"],
        data["content_type"],
        data["object_id"],
        data["translation_key"],
        language,
        data["title"],
        data["summary"],
        data["body"],
        data["url"] or "",
        published,
        data["visibility"],
    )
    themes = themes_text(phrases, tuple(data["themes"].items()))
    # Visibility is not a token: readers' tiers are checked on the snapshot
    # (embedded_bitmaps), which costs nothing, where a token read a doclist as long as
    # the index in every query.
    filters = [facet_token(f, v) for f, values in data["facets"].items() for v in values]
    prefix = f"{language}{SEPARATOR}"
    fts = (
        *(
            phrases.with_phrases(analyze_tagged(data[column], language, prefix), language)
            for column in ("title", "summary", "body")
        ),
        themes,
        " ".join(filters),
    )
    facets = [(f, v) for f, values in data["facets"].items() for v in values]
    suggestions = [
        (
            " ".join(analyze_standard(text)),
            text,
            "title",
            language,
            data["url"],
            data["visibility"],
        )
        # The title (or name) only, under the document's rowid: themes are suggested
        # from the taxonomy, in the reader's language (search.service.suggest).
        for text in data["suggest"][:1]
    ]
    return doc, fts, facets, suggestions


def insert_rows(conn, rows):
    """Write index_rows() results, inside the caller's transaction: rowids are numbered
    here (after the largest), so each table takes one executemany per batch."""
    if not rows:
        return
    first = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM docs").fetchone()[0]
    numbered = list(enumerate(rows, start=first))
    conn.executemany(
        "INSERT INTO docs (rowid, doc_id, content_type, object_id, translation_key, language,"
        " title, summary, body, url, published_at, visibility)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(rowid, *doc) for rowid, (doc, _fts, _facets, _suggestions) in numbered],
    )
    conn.executemany(
        "INSERT INTO docs_fts (rowid, title, summary, body, themes, filters)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(rowid, *fts) for rowid, (_doc, fts, _facets, _suggestions) in numbered],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO facets (facet, value, doc) VALUES (?, ?, ?)",
        [(f, v, rowid) for rowid, (_doc, _fts, facets, _s) in numbered for f, v in facets],
    )
    conn.executemany(
        "INSERT INTO suggest_fts (rowid, norm, text, kind, language, url, visibility)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(rowid, *row) for rowid, (_doc, _fts, _facets, rows_) in numbered for row in rows_],
    )


POSITION_KEY = "outbox_position"


class EmbeddedIndex:
    """One index file; a connection per thread, reopened when a rebuild swaps the file."""

    name = "embedded"

    def __init__(self, path=None):
        self.path = Path(path) if path else index_path()
        self._local = threading.local()
        self._write_lock = threading.Lock()

    def close(self):
        """Close this thread's connection (before a fork: gunicorn's master)."""
        cached = getattr(self._local, "conn", None)
        if cached is not None:
            cached.close()
            self._local.conn = None

    @contextmanager
    def exclusive(self):
        """Hold this host's writing turn on the index: a rebuild, the outbox's writes.

        A lock file beside the index (flock: every process of the host, any thread);
        the same thread may take it again inside."""
        depth = getattr(self._local, "exclusive_depth", 0)
        if depth:
            self._local.exclusive_depth = depth + 1
            try:
                yield
            finally:
                self._local.exclusive_depth = depth
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._local.exclusive_depth = 1
            try:
                yield
            finally:
                self._local.exclusive_depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- connections ------------------------------------------------------------------
    @property
    def conn(self):
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = None
        cached = getattr(self._local, "conn", None)
        if cached is None or self._local.inode != inode or inode is None:
            if cached is not None:
                cached.close()
            self._local.conn = connect(self.path)
            self._local.inode = os.stat(self.path).st_ino
        return self._local.conn

    @contextmanager
    def transaction(self, conn=None):
        conn = conn or self.conn
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- writing ----------------------------------------------------------------------
    def apply(self, document, prepared, delete_ids):
        """Index the prepared documents and remove the others, in one transaction (after
        a rebuild under way, in the file it swaps in)."""
        with self.exclusive(), self.transaction() as conn:
            self._delete(conn, stale_doc_ids(document, prepared, delete_ids))
            self._write(conn, prepared)
            bump_generation(conn)

    def note_outbox_position(self, entry_pk):
        """Record that this file took the outbox up to `entry_pk` (search.outbox.drain)."""
        with self.exclusive(), self.transaction() as conn:
            _store_position(conn, entry_pk)

    def outbox_position(self):
        """The last outbox entry this file took (or a rebuild covered); None if unknown.
        Never creates the file."""
        if not self.path.exists():
            return None
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (POSITION_KEY,))
        found = row.fetchone()
        return int(found[0]) if found else None

    def document_count(self):
        """Documents in the file (0 when there is no file; never creates it)."""
        if not self.path.exists():
            return 0
        return self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]

    def _delete(self, conn, doc_ids):
        for doc_id in doc_ids:
            row = conn.execute("SELECT rowid FROM docs WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                continue
            rowid = row[0]
            conn.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
            conn.execute("DELETE FROM docs_fts WHERE rowid = ?", (rowid,))
            conn.execute("DELETE FROM facets WHERE doc = ?", (rowid,))
            conn.execute("DELETE FROM suggest_fts WHERE rowid = ?", (rowid,))

    def _write(self, conn, prepared):
        self._delete(conn, [data["id"] for data in prepared])
        phrases = phrases_for_writing(conn)
        insert_rows(conn, [index_rows(data, phrases) for data in prepared])

    def rebuild(self, documents, progress=None, batch_size=500, workers=None):
        """Fill a new index file from the database and swap it in; readers never wait.

        With `workers` > 1 (default: the machine's cores, `KX_SEARCH_BUILD_WORKERS` to
        change it), worker processes read, prepare and analyse batches of objects while
        this one writes them; a small database, or one in memory, is done in-process.

        The outbox's writes wait meanwhile (exclusive()) and then go to the new file; it
        records the outbox position it covers (search.outbox.position_for_rebuild).
        """
        with self.exclusive():
            return self._rebuild(documents, progress, batch_size, workers)

    def _rebuild(self, documents, progress, batch_size, workers):
        from search.outbox import position_for_rebuild

        position = position_for_rebuild(self.outbox_position())
        fresh = self.path.with_suffix(".rebuilding")
        for leftover in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
            leftover.unlink(missing_ok=True)
        conn = connect(fresh)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        total = 0
        try:
            phrases = phrases_for_writing(conn)
            # No merging of FTS5 segments while filling: 'optimize' merges them all once.
            set_automerge(conn, 0)
            for objects, rows in build_batches(documents, phrases, batch_size, workers):
                conn.execute("BEGIN")
                insert_rows(conn, rows)
                conn.execute("COMMIT")
                total += len(rows)
                if progress:
                    # Objects, as the bar counts them: an object may have several
                    # documents (translations, an expert's tiers).
                    progress(objects)
            for table in FTS_TABLES:
                conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608
            set_automerge(conn, DEFAULT_AUTOMERGE)  # for the outbox's writes
            conn.execute("ANALYZE")
            bump_generation(conn)
            _store_position(conn, position)
        finally:
            conn.close()
        os.replace(fresh, self.path)
        for stale in (Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            stale.unlink(missing_ok=True)
        return total

    def clear(self):
        with self.exclusive(), self.transaction() as conn:
            for table in ("docs", "docs_fts", "facets", "suggest_fts"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            bump_generation(conn)

    # --- reading ----------------------------------------------------------------------
    def counts(self):
        """{content_type: number of objects} in the index (an expert has several
        documents, one per tier and language; a practice one per translation page)."""
        rows = self.conn.execute(
            "SELECT content_type, COUNT(DISTINCT object_id) FROM docs GROUP BY content_type"
        )
        return dict(rows.fetchall())

    def search(self, plan):
        from search.backends.embedded_query import run

        return run(self.conn, plan, str(self.path))

    def suggest(self, prefix_tokens, visibility, limit):
        from search.backends.embedded_query import suggest

        return suggest(self.conn, prefix_tokens, visibility, limit)


def _store_position(conn, entry_pk):
    """Raise the file's outbox position to `entry_pk` (never lower it)."""
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value ="
        " CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
        (POSITION_KEY, str(int(entry_pk))),
    )


_INDEXES = {}


def close_all():
    """Forget this process's index objects and close their connections (gunicorn's
    master, before it forks the workers: a SQLite connection must not cross a fork)."""
    for index in _INDEXES.values():
        index.close()
    _INDEXES.clear()


def get_index():
    path = index_path()
    index = _INDEXES.get(path)
    if index is None:
        index = _INDEXES[path] = EmbeddedIndex(path)
    return index
