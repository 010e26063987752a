"""The live Elasticsearch suite: it runs only when ELASTICSEARCH_URL (environment or
settings) names a cluster, and works in indices of its own (prefix kxtest-<random>),
deleted after each test and again at the end of the run."""

import os
import uuid

import pytest

RUN_PREFIX = f"kxtest-{uuid.uuid4().hex[:10]}"


def pytest_configure(config):
    # Also belongs in pyproject's markers list; registered here so --strict-markers passes.
    config.addinivalue_line("markers", "elasticsearch: needs a live Elasticsearch cluster")


def elasticsearch_url():
    from django.conf import settings

    return os.environ.get("ELASTICSEARCH_URL") or getattr(settings, "ELASTICSEARCH_URL", "")


def delete_run_indices(client, prefix=RUN_PREFIX):
    """Delete every index of this run (by name: wildcard deletes are refused by default)."""
    found = client.options(ignore_status=404).indices.get(index=f"{prefix}-*")
    names = sorted(n for n in (getattr(found, "body", found) or {}) if n.startswith(prefix))
    for name in names:
        client.options(ignore_status=404).indices.delete(index=name)
    return names


@pytest.fixture(scope="session")
def _run_cleanup():
    clients = []
    yield clients
    for client in clients:
        delete_run_indices(client)


@pytest.fixture
def live_backend(db, settings, _run_cleanup):
    """The Elasticsearch backend on the live cluster, with this run's index prefix."""
    url = elasticsearch_url()
    if not url:
        pytest.skip("ELASTICSEARCH_URL is not set")
    from search.backends.elastic import get_elastic_backend

    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_INDEX_PREFIX = RUN_PREFIX
    settings.ELASTICSEARCH_TIMEOUT = 30
    backend = get_elastic_backend()
    assert backend.available(), f"Elasticsearch at {url} does not answer"
    _run_cleanup.append(backend.client)
    yield backend
    delete_run_indices(backend.client)
