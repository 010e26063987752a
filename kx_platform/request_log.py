"""Logs that an operator can search: one JSON object per line with time, level, logger,
message and the id of the request that wrote it.

`RequestIdMiddleware` takes the id a proxy sent (`X-Request-ID`, when it is a plain token of
at most 64 characters) or makes one, keeps it for the log records written while the request
runs, and returns it in the response's `X-Request-ID`. `JsonFormatter` and
`RequestIdFilter` are named in settings.LOGGING (production: KX_LOG_FORMAT=json).
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

REQUEST_ID = contextvars.ContextVar("kx_request_id", default="-")
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if ACCEPTED_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
