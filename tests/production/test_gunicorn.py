"""The platform as an operator runs it: production settings, gunicorn with 3 workers, the
shared (database) cache. Sign-in throttling must count across workers: the 6th wrong
password for an account is refused whichever worker answers."""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.postgres_cluster import free_port

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


class Production:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kx_platform.settings.production",
            "SECRET_KEY": "production-like-test-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{self.directory / 'kx.sqlite3'}",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(free_port()),  # nothing listens: mail fails, nothing may 500
            "DEFAULT_FROM_EMAIL": "KX <kx@example.org>",
            "KX_BASE_URL": "https://kx.example.org",
            "KX_VAR_DIR": str(self.directory),
            "KX_STATIC_ROOT": str(self.directory / "static"),
            "KX_SEARCH_INDEX": str(self.directory / "search.sqlite3"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(WORKERS),
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CACHE_URL", None)
        self.process = None
        self.log = self.directory / "gunicorn.log"

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self):
        # The release step: the cache table (migrate's own set-up uses the cache), migrate,
        # the static files.
        self.manage("createcachetable")
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "from allauth.account.models import EmailAddress; "
            "u = User.objects.create_user('fatima', 'fatima@example.org', 'right-pass-2026'); "
            "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)",
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "kx_platform/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start:\n" + self.log.read_text()[-3000:])

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)

    def request(self, path, data=None, cookies=None):
        """One request on a new connection, as from behind the TLS proxy."""
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if body is not None:
            headers["Referer"] = "https://127.0.0.1/en/account/login/"
        request = urllib.request.Request(self.url + path, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, dict(response.headers), response.read().decode()

    def worker_pids(self, path):
        pids = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{") and '"gunicorn.access"' in line:
                entry = json.loads(line)
                if entry["path"] == path and entry["method"] == "POST":
                    pids.append(entry["pid"])
        return pids


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def production():
    with tempfile.TemporaryDirectory(prefix="kx-production-") as directory:
        running = Production(directory)
        running.start()
        try:
            yield running
        finally:
            running.stop()


def post_form(production, path, fields):
    status, headers, html = production.request(path)
    assert status == 200, html[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    return production.request(
        path, {"csrfmiddlewaretoken": csrf, **fields}, cookies={"csrftoken": cookie}
    )


def sign_in(production, password):
    return post_form(production, "/en/account/login/", {"login": "fatima", "password": password})


def test_the_sixth_wrong_password_is_refused_whichever_worker_answers(production):
    answers = [sign_in(production, f"wrong-{n}") for n in range(1, 7)]
    for status, _headers, html in answers[:5]:
        assert status == 200
        assert "not correct" in html, html[:2000]
    status, _headers, html = answers[5]
    assert status in (200, 429)
    assert "Too many failed login attempts" in html, html[:2000]
    # The right password is refused too while the account is throttled.
    status, _headers, html = sign_in(production, "right-pass-2026")
    assert "Too many failed login attempts" in html
    deadline = time.monotonic() + 10  # a worker writes its access line after answering
    while len(pids := production.worker_pids("/en/account/login/")) < 7:
        assert time.monotonic() < deadline, pids
        time.sleep(0.2)
    assert len(pids) == 7  # the POST of each of the 7 sign-ins
    assert len(set(pids)) > 1, f"every sign-in went to one worker: {pids}"


def test_the_probes_answer_from_every_worker(production):
    for _ in range(10):
        status, headers, body = production.request("/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"]["cache"]["ok"] is True
        assert headers["X-Request-ID"]


def test_sign_up_with_the_mail_server_down_is_no_error_and_saves_nothing(production):
    status, _headers, html = post_form(
        production,
        "/fr/account/signup/",
        {
            "email": "karim@example.org",
            "username": "karim",
            "password1": "a-long-pass-2026!",
            "password2": "a-long-pass-2026!",
        },
    )
    assert status == 200, html[:2000]
    assert "pu envoyer le courriel de confirmation" in html, html[:3000]  # translated
    count = production.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "print(User.objects.filter(username='karim').count())",
    )
    assert count.strip().splitlines()[-1] == "0"
