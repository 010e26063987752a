"""/healthz answers while the process lives; /readyz says whether it can serve, and why not."""

import datetime

import pytest
from django.utils import timezone

from kx_platform import health
from search.models import OutboxEntry

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database_the_cache_and_the_outbox(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "search_outbox", "search_index"}
    assert all(check["ok"] for check in checks.values())
    assert checks["search_outbox"]["backlog"] == 0


def test_a_failing_database_makes_the_process_not_ready(client, monkeypatch):
    def broken():
        raise OSError("connection refused by db.internal:5432")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert "db.internal" not in response.content.decode()  # no hosts, no error text


def test_an_outbox_nothing_drains_makes_the_process_not_ready(client):
    entry = OutboxEntry.objects.create(content_type="practice", object_id=1, action="index")
    old = timezone.now() - datetime.timedelta(seconds=health.OUTBOX_MAX_AGE_SECONDS + 60)
    OutboxEntry.objects.filter(pk=entry.pk).update(created_at=old)
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["checks"]["search_outbox"]
    assert outbox["ok"] is False and outbox["backlog"] == 1
    assert outbox["oldest_seconds"] >= health.OUTBOX_MAX_AGE_SECONDS


def test_elasticsearch_is_checked_when_configured(client, settings, monkeypatch):
    from search.backends import elastic

    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"
    monkeypatch.setattr(elastic.ElasticBackend, "available", lambda self: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["elasticsearch"] == {
        "ok": False,
        "ms": response.json()["checks"]["elasticsearch"]["ms"],
    }


def test_probes_answer_only_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
