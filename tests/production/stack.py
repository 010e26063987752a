"""The platform as an operator runs it, on this machine: production settings, PostgreSQL
(the throwaway cluster of tests.postgres_cluster, when DATABASE_URL names one; SQLite
otherwise), Redis from Debian's redis-server as the shared cache, gunicorn with 3 workers,
two task workers (`manage.py db_worker`) and a mail server (aiosmtpd) that can be stopped
and started again."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.postgres_cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
WEB_WORKERS = 3
TASK_WORKERS = 2


class MailSink:
    """An SMTP server on loopback that keeps what it receives."""

    def __init__(self, port):
        self.port = port
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {"to": list(envelope.rcpt_tos), "data": envelope.content.decode("utf8", "replace")}
        )
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        return [m for m in self.messages if address in m["to"]]


class Stack:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mail = MailSink(free_port())
        self.redis_port = free_port()
        database = os.environ.get("DATABASE_URL", "")
        if not database.startswith("postgres"):
            database = f"sqlite:///{self.directory / 'kx.sqlite3'}"
        self.database = database
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kx_platform.settings.production",
            "SECRET_KEY": "production-like-test-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database,
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.mail.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "5",
            "KX_MAIL_RETRY_BASE_SECONDS": "1",
            "DEFAULT_FROM_EMAIL": "KX <kx@example.org>",
            "KX_BASE_URL": "https://kx.example.org",
            "KX_VAR_DIR": str(self.directory),
            "KX_STATIC_ROOT": str(self.directory / "static"),
            "KX_MEDIA_ROOT": str(self.directory / "media"),
            "KX_SEARCH_INDEX": str(self.directory / "search.sqlite3"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(WEB_WORKERS),
            "PYTHONUNBUFFERED": "1",
        }
        self.processes = []
        self.log = self.directory / "gunicorn.log"
        self.scenario = {}

    # --- processes -------------------------------------------------------------------------

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        return result.stdout

    def shell(self, code):
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def _spawn(self, name, command):
        log = (self.directory / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start(self):
        redis = shutil.which("redis-server")
        if redis is None:
            raise RuntimeError("redis-server not found: run `make system-packages`")
        self._spawn(
            "redis",
            [redis, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""],
        )
        self.mail.start()
        self.release()
        self.scenario = json.loads(
            self.shell("from tests.production.scenario import setup; setup()")
        )
        self.manage("search_rebuild")
        bin_dir = Path(sys.executable).parent
        self._spawn("web", [str(bin_dir / "gunicorn"), "-c", "kx_platform/gunicorn.conf.py"])
        for n in range(TASK_WORKERS):
            self._spawn(
                f"worker-{n}",
                [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
            )
        self.log = self.directory / "web.log"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not start:\n" + self.log.read_text()[-3000:]
                    ) from None
                time.sleep(0.3)
        # Loading the demo queued Wagtail's own tasks (its search and reference indexes, a
        # few thousand): the tests measure requests, not that backlog, so it drains first.
        self.backlog = self.waiting_tasks()
        wait_for(lambda: self.waiting_tasks() == 0, 600, "the task workers did not catch up")

    def waiting_tasks(self):
        _status, _headers, body, _ = self.request("/readyz")
        return json.loads(body)["checks"]["worker"]["waiting"]

    def release(self):
        # The static files (the image collects them at build time), then the release step.
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.release_output = self.manage("release")

    def stop(self):
        self.mail.stop()
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    # --- HTTP --------------------------------------------------------------------------------

    def request(self, path, data=None, cookies=None, timeout=30):
        """One request on a new connection, as from behind the TLS proxy; returns
        (status, headers, body, seconds)."""
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if body is not None:
            headers["Referer"] = "https://127.0.0.1" + path
        request = urllib.request.Request(self.url + path, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        started = time.monotonic()
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error
        content = response.read()
        elapsed = time.monotonic() - started
        text = content.decode("utf8", "replace")
        return response.status, response.headers, text, elapsed

    def post_form(self, path, fields, cookies=None):
        """GET the form, then POST it with its CSRF token; returns request()'s answer and
        the cookies (updated with what the answers set)."""
        cookies = dict(cookies or {})
        status, headers, html, _ = self.request(path, cookies=cookies)
        assert status == 200, html[:500]
        cookies.update(set_cookies(headers))
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        answer = self.request(path, {"csrfmiddlewaretoken": csrf, **fields}, cookies=cookies)
        cookies.update(set_cookies(answer[1]))
        return answer, cookies

    def sign_in(self, username, password):
        answer, cookies = self.post_form(
            "/en/account/login/", {"login": username, "password": password}
        )
        return answer, cookies

    def access_log(self):
        entries = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{") and '"gunicorn.access"' in line:
                entries.append(json.loads(line))
        return entries


def set_cookies(headers):
    found = {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(0.25)
