"""End-to-end fixtures: the real platform in a subprocess, driven by Debian's Chromium.

The site runs as a user would run it (migrate, load_demo, runserver) against a
throwaway SQLite database, so these tests share nothing with pytest-django's test
database and need no transactional flush between them.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.postgres_cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class Site:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kx_platform.settings.dev",
            "KX_VAR_DIR": str(self.directory),
            "DATABASE_URL": f"sqlite:///{self.directory / 'kx.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
        }
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code):
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def start(self):
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("load_demo")
        log = open(self.directory / "server.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/en/", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the platform did not start: see " + str(self.directory / "server.log"))

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture(scope="session")
def site():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with tempfile.TemporaryDirectory(prefix="kx-e2e-") as directory:
        running = Site(directory)
        running.start()
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**kwargs)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def make_moderator(site, username):
    """A moderator of the test's own, so that setting up two-factor authentication does
    not depend on which other browser tests ran first (the demo `moderator` can only set
    it up once)."""
    return site.shell(
        "from allauth.account.models import EmailAddress; "
        "from django.contrib.auth.models import Group, User; "
        f"u = User.objects.create_user('{username}', '{username}@example.org', "
        f"'kx-demo-{username}'); "
        "u.groups.add(Group.objects.get(name='Moderators')); "
        "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True); "
        "print('ok')"
    )
