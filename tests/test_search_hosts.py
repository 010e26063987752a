"""The embedded index on a host: drained by a task, caught up at start, never served
empty or behind without /readyz saying so, and refused on several hosts without
Elasticsearch.

The embedded index is a file of one host (search.backends.embedded); search.outbox queues
one `drain_embedded` task for many changes; search.readiness says whether the file can
serve and catches it up (`manage.py search_catch_up`, run by gunicorn's master)."""

import importlib.util
import io
import logging
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from search import outbox
from search.backends.embedded import EmbeddedIndex, get_index
from search.documents import DOCUMENTS
from search.models import OutboxEntry
from search.service import SearchRequest, search
from tests.conftest import drain_search
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def titles(text):
    return [h.title for h in search(SearchRequest(text=text, language="en", per_page=50)).hits]


def drain_tasks():
    return DBTaskResult.objects.filter(task_path="search.tasks.drain_embedded")


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]["search_index"]


def use_index(settings, path):
    """Another host's file (each host has its own var/)."""
    settings.KX_SEARCH_INDEX = str(path)
    return get_index()


# --- the drain is a task, one for many changes -----------------------------------------


def test_search_is_current_after_commit_in_development_and_tests(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        PracticeFactory(title="Committed practice on herders")
    assert titles("herders") == ["Committed practice on herders"]
    assert not OutboxEntry.objects.filter(embedded_done=False).exists()


def test_the_request_only_queues_one_drain_and_the_worker_runs_it(
    task_worker, django_capture_on_commit_callbacks
):
    for n in range(3):  # three transactions before the worker comes by
        with django_capture_on_commit_callbacks(execute=True):
            PracticeFactory(title=f"Queued practice {n} on herders")
            PracticeFactory(title=f"Second practice {n} on herders")
    assert drain_tasks().count() == 1
    assert titles("herders") == []  # nothing indexed in the request
    task_worker()  # Wagtail's own tasks too
    assert [t.status for t in drain_tasks()] == ["SUCCESSFUL"]
    assert len(titles("herders")) == 6
    assert cache.get(outbox.DRAIN_MARK) is None
    # The next change queues the next drain.
    with django_capture_on_commit_callbacks(execute=True):
        PracticeFactory(title="Later practice on herders")
    assert drain_tasks().count() == 2
    task_worker()
    assert "Later practice on herders" in titles("herders")


def test_a_change_committed_while_a_drain_runs_is_drained_next(
    task_worker, django_capture_on_commit_callbacks, monkeypatch
):
    real_drain = outbox.drain
    calls = []

    def drain_while_an_editor_publishes(backend, flag, batch_size=500):
        calls.append(flag)
        if len(calls) == 1:  # the first drain has started: a change commits meanwhile
            with django_capture_on_commit_callbacks(execute=True):
                PracticeFactory(title="Published during the drain on herders")
        return real_drain(backend, flag, batch_size)

    with django_capture_on_commit_callbacks(execute=True):
        PracticeFactory(title="Published before the drain on herders")
    monkeypatch.setattr(outbox, "drain", drain_while_an_editor_publishes)
    task_worker()
    assert [t.status for t in drain_tasks()] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(titles("herders")) == [
        "Published before the drain on herders",
        "Published during the drain on herders",
    ]


def test_a_rolled_back_change_queues_nothing_and_leaves_no_mark(
    task_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            PracticeFactory(title="Never committed on herders")
            raise RuntimeError
    assert drain_tasks().count() == 0 and cache.get(outbox.DRAIN_MARK) is None
    with django_capture_on_commit_callbacks(execute=True):
        PracticeFactory(title="Committed after on herders")
    assert drain_tasks().count() == 1


def test_a_drain_that_cannot_be_queued_leaves_no_mark_and_the_rows(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from kx_platform import background

    def refuse(task, *args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(background, "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        page = PracticeFactory(title="Saved while the queue is down")
    assert page.pk  # the change is saved
    assert cache.get(outbox.DRAIN_MARK) is None
    assert OutboxEntry.objects.filter(object_id=page.pk, embedded_done=False).exists()
    assert "could not be queued" in caplog.text


# --- /readyz: no host serves an empty or stale index silently --------------------------


def test_an_empty_index_while_practices_are_published_makes_the_host_not_ready(client, caplog):
    PracticeFactory(title="Published practice")  # never drained: the file stays empty
    with caplog.at_level(logging.WARNING, logger="search.readiness"):
        status, check = readyz(client)
        readyz(client)
    assert status == 503
    assert check["ok"] is False and check["documents"] == 0
    warnings = [r for r in caplog.records if "missing or empty" in r.getMessage()]
    assert len(warnings) == 1  # once, not at every probe


def test_a_host_without_an_index_file_is_not_ready_and_the_probe_creates_none(
    client, settings, tmp_path
):
    PracticeFactory(title="Published practice")
    missing = tmp_path / "second-host" / "search.sqlite3"
    use_index(settings, missing)
    status, check = readyz(client)
    assert status == 503 and check["documents"] == 0
    assert not missing.exists()


def test_an_empty_index_with_nothing_published_is_ready(client):
    PracticeFactory(title="Draft practice", live=False)
    status, check = readyz(client)
    assert status == 200 and check == {
        "ok": True,
        "documents": 0,
        "missed_changes": False,
        "ms": check["ms"],
    }


def test_a_current_index_is_ready(client):
    PracticeFactory(title="Published practice")
    drain_search()
    status, check = readyz(client)
    assert status == 200 and check["ok"] is True and check["documents"] == 1


def test_a_second_host_whose_index_missed_a_change_is_not_ready(client, settings, tmp_path, caplog):
    PracticeFactory(title="Old practice on herders")
    host_a = tmp_path / "a" / "search.sqlite3"
    host_b = tmp_path / "b" / "search.sqlite3"
    for path in (host_a, host_b):
        use_index(settings, path).rebuild(DOCUMENTS.values())
    # A change drained on host A (its worker took the task) ...
    use_index(settings, host_a)
    PracticeFactory(title="New practice on herders")
    drain_search()
    assert readyz(client)[0] == 200
    # ... host B's file never sees it: B is taken out, it does not serve stale results.
    use_index(settings, host_b)
    with caplog.at_level(logging.WARNING, logger="search.readiness"):
        status, check = readyz(client)
    assert status == 503
    assert check["ok"] is False and check["missed_changes"] is True and check["documents"] == 1
    assert "missed changes another host's index took" in caplog.text
    # Catching up at start rebuilds it.
    out = io.StringIO()
    call_command("search_catch_up", stdout=out)
    assert "rebuilt (missed changes)" in out.getvalue()
    assert readyz(client)[0] == 200
    assert sorted(titles("herders")) == ["New practice on herders", "Old practice on herders"]


def test_the_index_of_the_one_host_is_never_behind_its_own_drains(client, settings):
    PracticeFactory(title="First")
    call_command("search_rebuild", stdout=io.StringIO(), stderr=io.StringIO())
    for n in range(3):
        PracticeFactory(title=f"Later {n}")
        drain_search()
        assert readyz(client)[0] == 200
    assert get_index().outbox_position() == outbox.shared_position()


# --- catching up at start ----------------------------------------------------------------


def test_catch_up_rebuilds_a_missing_index_when_practices_are_published(settings, tmp_path):
    PracticeFactory(title="Published practice on herders")
    OutboxEntry.objects.all().delete()  # as after a drain on the old host
    use_index(settings, tmp_path / "fresh" / "search.sqlite3")
    out = io.StringIO()
    call_command("search_catch_up", stdout=out)
    assert "rebuilt (missing): 1 documents" in out.getvalue()
    assert titles("herders") == ["Published practice on herders"]


def test_catch_up_drains_a_current_index_and_does_not_rebuild(monkeypatch):
    PracticeFactory(title="Indexed practice on herders")
    drain_search()
    PracticeFactory(title="Pending practice on herders")
    monkeypatch.setattr(
        EmbeddedIndex, "rebuild", lambda *a, **k: pytest.fail("a current index was rebuilt")
    )
    out = io.StringIO()
    call_command("search_catch_up", stdout=out)
    assert "1 outbox entries applied" in out.getvalue()
    assert "rebuilt" not in out.getvalue()
    assert len(titles("herders")) == 2


def test_catch_up_with_nothing_published_creates_an_empty_index(settings, tmp_path):
    path = tmp_path / "new" / "search.sqlite3"
    use_index(settings, path)
    out = io.StringIO()
    call_command("search_catch_up", stdout=out)
    assert "created (nothing published yet)" in out.getvalue()
    assert path.exists()


def test_a_drain_waits_for_a_rebuild_under_way_and_writes_the_new_file(tmp_path):
    index = EmbeddedIndex(tmp_path / "search.sqlite3")
    taken = []

    def drain_turn():
        with index.exclusive():
            taken.append(time.monotonic())

    with index.exclusive():  # the rebuild's turn
        other = threading.Thread(target=drain_turn)
        other.start()
        time.sleep(0.3)
        assert taken == []  # the drain waits
        released = time.monotonic()
    other.join(5)
    assert taken and taken[0] >= released


# --- several hosts: Elasticsearch or a refusal -------------------------------------------


def search_messages(include_deployment_checks=False):
    return {
        m.id: m
        for m in run_checks(tags=["kx_search"], include_deployment_checks=include_deployment_checks)
    }


def test_several_hosts_without_elasticsearch_are_refused(settings):
    settings.KX_APP_HOSTS = "3"
    settings.ELASTICSEARCH_URL = ""
    error = search_messages()["kx.search.E002"]
    assert error.is_serious()
    assert "ELASTICSEARCH_URL" in error.msg and "KX_APP_HOSTS" in error.hint
    with pytest.raises(SystemCheckError):
        call_command("search_catch_up", skip_checks=False, stdout=io.StringIO())


def test_several_hosts_with_elasticsearch_and_one_host_without_are_accepted(settings):
    settings.KX_APP_HOSTS = "3"
    settings.ELASTICSEARCH_URL = "http://es.internal:9200"
    assert not any(m.is_serious() for m in search_messages().values())
    settings.KX_APP_HOSTS = "1"
    settings.ELASTICSEARCH_URL = ""
    assert not any(m.is_serious() for m in search_messages().values())


def test_the_deployment_checks_note_that_the_embedded_index_is_single_host(settings):
    settings.ELASTICSEARCH_URL = ""
    info = search_messages(include_deployment_checks=True)["kx.search.I001"]
    assert not info.is_serious() and info.level < logging.WARNING


def test_a_host_count_that_is_not_a_number_is_refused(settings):
    settings.KX_APP_HOSTS = "two"
    assert search_messages()["kx.search.E003"].is_serious()


# --- status ------------------------------------------------------------------------------


def test_search_status_shows_the_embedded_file_and_the_pending_entries():
    PracticeFactory(title="Indexed")
    drain_search()
    PracticeFactory(title="Pending")
    out = io.StringIO()
    call_command("search_status", stdout=out)
    text = out.getvalue()
    assert "embedded index: " in text and ", 1 documents, outbox position " in text
    assert "outbox: 1 waiting for the embedded index" in text


# --- gunicorn's master -------------------------------------------------------------------


class FakeServer:
    class log:  # noqa: N801 - gunicorn's attribute
        lines = []

        @classmethod
        def info(cls, message, *args):
            cls.lines.append(message % args)

        error = info


def gunicorn_conf():
    spec = importlib.util.spec_from_file_location(
        "kx_gunicorn_conf", ROOT / "kx_platform" / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("status", "stops"), [(0, False), (3, False), (1, True)], ids=["done", "failed", "refused"]
)
def test_gunicorn_catches_the_index_up_before_it_starts(monkeypatch, status, stops):
    import subprocess

    conf = gunicorn_conf()
    ran = []

    def run(command, **kwargs):
        ran.append((command, kwargs["env"]["DJANGO_SETTINGS_MODULE"]))
        return subprocess.CompletedProcess(command, status)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.delenv("KX_SEARCH_CATCH_UP_ON_START", raising=False)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    if stops:
        with pytest.raises(SystemExit):
            conf.on_starting(FakeServer)
    else:
        conf.on_starting(FakeServer)
    ((command, settings_module),) = ran
    assert command[-2:] == [str(ROOT / "manage.py"), "search_catch_up"]
    assert settings_module == "kx_platform.settings.production"
    monkeypatch.setenv("KX_SEARCH_CATCH_UP_ON_START", "0")
    conf.on_starting(FakeServer)
    assert len(ran) == 1
