import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def expert(db):
    return UserFactory(username="expert", group="Experts")


@pytest.fixture
def other_expert(db):
    return UserFactory(username="other_expert", group="Experts")


@pytest.fixture
def moderator(db):
    # Moderators and administrators must have two-factor authentication (kx_platform.mfa_required).
    return UserFactory(username="moderator", group="Moderators", totp=True)


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True, totp=True)


def signed_in(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def expert_client(expert):
    return signed_in(expert)


@pytest.fixture
def moderator_client(moderator):
    return signed_in(moderator)


@pytest.fixture(autouse=True)
def search_index(tmp_path, settings):
    """Every test gets its own embedded search index file."""
    settings.KX_SEARCH_INDEX = str(tmp_path / "search.sqlite3")
    from search.backends.embedded import get_index

    return get_index()


def drain_search():
    """What happens after commit in production: the outbox drains into the index.
    (pytest-django wraps each test in a transaction that never commits.)"""
    from search.backends.embedded import get_index
    from search.outbox import drain

    return drain(get_index(), "embedded_done")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached counts must not leak from one test's (rolled back) database to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """A request to /ar/… leaves Arabic active in the thread (LocaleMiddleware activates it
    and nothing deactivates it): every test starts from the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def task_worker(settings, monkeypatch):
    """Tasks stored in the database as in production (django-tasks-db); the
    returned function runs what is due, as `manage.py db_worker` does, and returns how
    many tasks it ran. The worker runs inside the test's transaction: its check for stale
    connections would close that transaction's connection (PostgreSQL), so it is left out."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run_due():
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    return run_due
