"""The container's health check: GET /healthz on this container's gunicorn.

Django answers 400 to a Host it does not know, so the probe names the first host of
ALLOWED_HOSTS (a leading-dot wildcard loses its dot). Exit status 0 when the answer is
2xx, 1 otherwise. Only the standard library: it runs in the image's Python.

    python deploy/healthcheck.py            # http://127.0.0.1:$PORT/healthz
    KX_HEALTHCHECK_URL=http://127.0.0.1:9000/healthz python deploy/healthcheck.py
"""

import os
import sys
import urllib.request


def main():
    port = os.environ.get("PORT", "8000")
    url = os.environ.get("KX_HEALTHCHECK_URL", f"http://127.0.0.1:{port}/healthz")
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            ok = 200 <= response.status < 300
    except OSError as error:  # refused, timed out, or an HTTP error status
        print(f"healthcheck: {url}: {error}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
