"""Logs carry time, level, logger and the request's id; the id comes back in the response."""

import json
import logging

import pytest

from kx_platform.request_log import REQUEST_ID, JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_each_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")["X-Request-ID"] == "lb-7f3a.42"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='"><script>')["X-Request-ID"]
    assert replaced != '"><script>' and len(replaced) == 32


def test_a_log_line_is_one_json_object_with_the_request_id(client, monkeypatch):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("kx.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    from kx_platform import health

    def logging_check():
        logger.info("checking «قاعدة البيانات»")
        return {"ok": True}

    monkeypatch.setitem(health.CHECKS, "database", logging_check)
    try:
        response = client.get("/readyz", HTTP_X_REQUEST_ID="probe-1")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(lines[0])
    assert entry["request_id"] == "probe-1" == response["X-Request-ID"]
    assert entry["level"] == "INFO" and entry["logger"] == "kx.test"
    assert entry["message"] == "checking «قاعدة البيانات»"
    assert entry["time"].endswith("+00:00")
    assert REQUEST_ID.get() == "-"  # nothing leaks into the next request


def test_an_exception_is_logged_inside_its_json_line():
    formatter = JsonFormatter()
    try:
        raise ValueError("bad value")
    except ValueError:
        import sys

        record = logging.LogRecord("kx", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(formatter.format(record))
    assert "ValueError: bad value" in entry["exception"]
    assert entry["request_id"] == "-"


def test_production_logs_json_by_default(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "kx.example.org")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/kx-never-opened.sqlite3")
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "KX <kx@example.org>")
    monkeypatch.setenv("KX_BASE_URL", "https://kx.example.org")
    monkeypatch.delenv("KX_LOG_FORMAT", raising=False)
    production = importlib.import_module("kx_platform.settings.production")
    production = importlib.reload(production)
    assert production.LOGGING["handlers"]["console"]["formatter"] == "json"
