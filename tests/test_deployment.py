"""The deployment an operator is handed: the release step, and the files that run the
platform (Dockerfile, compose.yaml, deploy/).

There is no Docker daemon where these tests run, so the container files are checked by
reading them: every process compose.yaml starts is a management command that exists, the
order (release first) is enforced, the environment example names every variable the
production settings require and gives no secret, the image installs what the PDFs need
and runs as a user other than root. The release step itself runs against the test
database.
"""

import ast
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from wagtail.models import Site

from kx_platform.management.commands.release import site_address

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "kx_platform" / "settings"
APP_SERVICES = {"web", "worker", "search_sync", "scheduler", "release"}
BACKING_SERVICES = {"postgres", "elasticsearch", "valkey"}
UNITS = ROOT / "deploy" / "systemd"


# --- the release step ------------------------------------------------------------------
def release():
    out = io.StringIO()
    call_command("release", stdout=out)
    return out.getvalue().splitlines()


def default_site():
    return Site.objects.get(is_default_site=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "base_url, hostname, port, root_url",
    [
        ("https://kx.example.org", "kx.example.org", 443, "https://kx.example.org"),
        ("https://KX.Example.org/", "kx.example.org", 443, "https://kx.example.org"),
        ("http://kx.example.org", "kx.example.org", 80, "http://kx.example.org"),
        ("http://kx.example.org:8080", "kx.example.org", 8080, "http://kx.example.org:8080"),
    ],
)
def test_release_gives_the_default_site_the_public_address(
    settings, base_url, hostname, port, root_url
):
    settings.WAGTAILADMIN_BASE_URL = base_url
    lines = release()
    site = default_site()
    assert (site.hostname, site.port) == (hostname, port)
    assert f"site: {hostname}:{port} (was localhost:80)" in lines
    # Wagtail's full URLs (canonical links, sitemaps, account data) name the public address.
    assert site.root_url == root_url
    home = site.root_page.specific
    assert home.get_full_url() == f"{root_url}{home.url}"


@pytest.mark.django_db
def test_https_on_another_port_is_kept_and_its_limit_said(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://kx.example.org:8443"
    (line,) = [line for line in release() if line.startswith("site:")]
    assert (default_site().hostname, default_site().port) == ("kx.example.org", 8443)
    assert line.startswith("site: kx.example.org:8443 (was localhost:80); ")
    assert "https only on port 443" in line


@pytest.mark.django_db
def test_release_prints_one_line_per_step_and_a_second_run_changes_nothing(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://kx.example.org"
    first = release()
    assert [line.split(":")[0] for line in first] == [
        "cache table",
        "migrate",
        "site",
        "guidebook PDFs",
        "release",
    ]
    sites = list(Site.objects.values_list("pk", "hostname", "port", "root_page_id"))
    second = release()
    assert second == [
        "cache table: none needed (the cache is not in the database)",
        "migrate: no migrations to apply",
        "site: kx.example.org:443 (unchanged)",
        "guidebook PDFs: none missing",
        "release: done",
    ]
    assert list(Site.objects.values_list("pk", "hostname", "port", "root_page_id")) == sites


@pytest.mark.django_db
def test_release_creates_the_database_cache_table_once(settings):
    from django.db import connection

    settings.WAGTAILADMIN_BASE_URL = "https://kx.example.org"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kx_release_test_cache",
        }
    }
    assert "kx_release_test_cache" not in connection.introspection.table_names()
    assert release()[0] == "cache table: created kx_release_test_cache"
    assert "kx_release_test_cache" in connection.introspection.table_names()
    assert release()[0] == "cache table: kx_release_test_cache present"


@pytest.mark.django_db
def test_release_queues_the_missing_guidebook_pdfs_for_the_worker(settings, tmp_path, task_worker):
    from django.core.files.storage import default_storage

    from tests.factories import PracticeFactory
    from tests.guidebook_factories import make_edition

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WAGTAILADMIN_BASE_URL = "https://kx.example.org"
    make_edition([("Conditions", [PracticeFactory(title="Prison mentors")])])
    task_worker()  # what the publication queued: its PDF
    _dirs, files = default_storage.listdir("guidebook")
    for name in files:
        default_storage.delete(f"guidebook/{name}")  # a release with a new PDF layout
    assert "guidebook PDFs: 1 queued for the worker, 0 already queued" in release()
    assert default_storage.listdir("guidebook")[1] == []  # queued, not built here
    assert task_worker() == 1
    assert len(default_storage.listdir("guidebook")[1]) == 1
    assert "guidebook PDFs: none missing" in release()


@pytest.mark.parametrize(
    "base_url, reason",
    [
        ("kx.example.org", "must start with https://"),
        ("ftp://kx.example.org", "must start with https://"),
        ("https://", "names no host"),
        ("https://kx.example.org:99999", "port is not a number"),
        ("https://kx.example.org:0", "port is not a number"),
        ("https://kx.example.org/kx/", "must be the site's root"),
        ("https://kx.example.org/?a=1", "must be the site's root"),
        ("https://admin:pw@kx.example.org", "user name or password"),
    ],
)
def test_a_bad_base_url_is_refused_with_its_reason(base_url, reason):
    with pytest.raises(CommandError) as error:
        site_address(base_url)
    message = str(error.value)
    assert message.startswith(f"KX_BASE_URL {base_url!r} is not usable: ")
    assert reason in message and "\n" not in message


@pytest.mark.django_db
def test_release_with_a_bad_base_url_changes_nothing(settings):
    settings.WAGTAILADMIN_BASE_URL = "kx.example.org"
    before = (default_site().hostname, default_site().port)
    with pytest.raises(CommandError, match="KX_BASE_URL"):
        call_command("release", stdout=io.StringIO())
    assert (default_site().hostname, default_site().port) == before


def production_environment(directory, **overrides):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kx_platform.settings.production",
        "SECRET_KEY": "deployment-test-" + "k" * 40,
        "ALLOWED_HOSTS": "kx.example.org",
        "DATABASE_URL": f"sqlite:///{directory / 'kx.sqlite3'}",
        "EMAIL_HOST": "smtp.example.org",
        "DEFAULT_FROM_EMAIL": "KX <kx@example.org>",
        "KX_BASE_URL": "https://kx.example.org",
        "KX_VAR_DIR": str(directory),
        **overrides,
    }
    env.pop("CACHE_URL", None)
    env.pop("ELASTICSEARCH_URL", None)
    return env


def test_manage_py_release_exits_non_zero_with_one_line_before_touching_the_database(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "release"],
        cwd=ROOT,
        env=production_environment(tmp_path, KX_BASE_URL="kx.example.org"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: KX_BASE_URL 'kx.example.org' is not usable: "
        "it must start with https:// (or http://)."
    ]
    assert result.stdout == ""
    database = tmp_path / "kx.sqlite3"
    if database.exists():  # opened (the connection sets its pragmas) but nothing made
        import sqlite3

        with sqlite3.connect(database) as db:
            assert db.execute("SELECT name FROM sqlite_master").fetchall() == []


# --- compose.yaml ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def manage_command(command):
    """The management command a service's command runs, or None."""
    if command[:2] == ["python", "manage.py"]:
        return command[2]
    return None


def test_compose_runs_every_process_and_what_it_needs(compose):
    assert set(compose["services"]) == APP_SERVICES | BACKING_SERVICES


def test_each_compose_process_is_a_management_command_that_exists(compose):
    commands = get_commands()
    for name in APP_SERVICES - {"web"}:
        command = compose["services"][name]["command"]
        assert manage_command(command) in commands, (name, command)
    expected = {
        "worker": "db_worker",
        "search_sync": "search_sync",
        "scheduler": "scheduler",
        "release": "release",
    }
    assert {n: manage_command(compose["services"][n]["command"]) for n in expected} == expected
    web = compose["services"]["web"]["command"]
    assert web == ["gunicorn", "-c", "kx_platform/gunicorn.conf.py"]
    assert (ROOT / web[2]).is_file()


def test_compose_starts_the_processes_only_after_a_successful_release(compose):
    services = compose["services"]
    assert services["release"]["restart"] == "no"
    for name in APP_SERVICES - {"release"}:
        depends = services[name]["depends_on"]
        assert depends["release"] == {"condition": "service_completed_successfully"}, name
        assert services[name]["restart"] in ("unless-stopped", "always"), name
    release_needs = services["release"]["depends_on"]
    assert release_needs["postgres"] == {"condition": "service_healthy"}
    assert services["search_sync"]["depends_on"]["elasticsearch"] == {
        "condition": "service_healthy"
    }


def test_compose_checks_the_health_of_web_and_of_each_server(compose):
    services = compose["services"]
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py"]
    for name in APP_SERVICES - {"web"}:  # the image's check asks gunicorn: web only
        assert services[name]["healthcheck"] == {"disable": True}, name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "_cluster/health" in " ".join(services["elasticsearch"]["healthcheck"]["test"])
    assert services["valkey"]["healthcheck"]["test"] == ["CMD", "valkey-cli", "ping"]


def test_compose_servers_are_the_supported_versions_and_keep_their_data(compose):
    services = compose["services"]
    assert re.fullmatch(r"postgres:1[56](\..*)?", services["postgres"]["image"])
    assert re.search(
        r"elasticsearch/elasticsearch:\$\{[A-Z_]+:-9\.", services["elasticsearch"]["image"]
    )
    assert services["valkey"]["image"].startswith("valkey/valkey:8")
    elastic = services["elasticsearch"]["environment"]
    assert elastic["discovery.type"] == "single-node"
    assert "-Xmx" in elastic["ES_JAVA_OPTS"] and "-Xms" in elastic["ES_JAVA_OPTS"]
    volumes = compose["volumes"]
    for name, path in (
        ("postgres", "/var/lib/postgresql/data"),
        ("elasticsearch", "/usr/share/elasticsearch/data"),
    ):
        (mount,) = services[name]["volumes"]
        volume, _sep, target = mount.partition(":")
        assert target == path and volume in volumes, name


def test_compose_shares_media_between_web_and_worker_and_reads_one_env_file(compose):
    services = compose["services"]

    def var_volume(name):
        mounts = [m.split(":") for m in services[name]["volumes"]]
        return {volume for volume, target, *_rest in mounts if target == "/app/var"}

    assert var_volume("web") == var_volume("worker") == {"kx-var"}
    assert "kx-var" in compose["volumes"]
    for name in APP_SERVICES:
        assert services[name]["env_file"] == "deploy/kx.env", name
        assert "environment" not in services[name], name  # settings live in the env file


def test_compose_publishes_only_web_and_only_on_the_loopback(compose):
    services = compose["services"]
    assert [p.split(":")[0] for p in services["web"]["ports"]] == ["127.0.0.1"]
    for name in set(services) - {"web"}:
        assert "ports" not in services[name], name
    assert compose["networks"]["backend"]["internal"] is True
    for name in BACKING_SERVICES:
        assert services[name]["networks"] == ["backend"], name


# --- the environment example -----------------------------------------------------------
def required_by_production():
    """The names production.py passes to _required()."""
    tree = ast.parse((SETTINGS / "production.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "_required"
        and isinstance(node.args[0], ast.Constant)
    }


def read_by_settings():
    """Every environment variable the settings and the gunicorn configuration read."""
    names = set()
    files = [
        SETTINGS / "base.py",
        SETTINGS / "production.py",
        ROOT / "kx_platform/gunicorn.conf.py",
    ]
    for path in files:
        names |= set(re.findall(r"os\.environ\.get\(\s*[\"']([A-Z0-9_]+)[\"']", path.read_text()))
    return names


def example():
    """{name: value} of the example, commented-out defaults included (value None)."""
    values = {}
    for line in (ROOT / "deploy" / "kx.env.example").read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            values[match[1]] = match[2]
        elif match := re.fullmatch(r"# ([A-Z][A-Z0-9_]*)=.*", line):
            values.setdefault(match[1], None)
    return values


def test_production_requires_at_least_these_variables():
    # The parsing below must keep finding them (a sanity check of the test itself).
    assert {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "KX_BASE_URL",
    } <= required_by_production()


def test_the_env_example_sets_every_required_variable_and_documents_the_others():
    values = example()
    for name in required_by_production():
        assert name in values and values[name] is not None, f"{name} is not set in the example"
    assert values["DJANGO_SETTINGS_MODULE"] == "kx_platform.settings.production"
    undocumented = read_by_settings() - set(values)
    assert not undocumented, f"not in deploy/kx.env.example: {sorted(undocumented)}"


def test_the_env_example_holds_no_secret_and_refuses_to_start_as_it_is(tmp_path):
    values = example()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_HOST_PASSWORD"):
        assert values[name] == "", name
    env = production_environment(tmp_path, SECRET_KEY="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable for production." in result.stderr


def test_the_env_example_database_url_matches_the_postgres_service():
    values = example()
    url = values["DATABASE_URL"]
    assert url.startswith(f"postgres://{values['POSTGRES_USER']}:")
    assert url.endswith(f"@postgres:5432/{values['POSTGRES_DB']}")
    assert values["CACHE_URL"] == "redis://valkey:6379/0"
    assert values["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"


def test_a_filled_in_env_file_stays_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "**/*.env" in ignored and ".git" in ignored and ".venv" in ignored


# --- Dockerfile ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    return re.sub(r"\\\n", " ", text)  # continued lines joined


def instructions(dockerfile, keyword):
    return [
        line.split(None, 1)[1]
        for line in dockerfile.splitlines()
        if line.split(None, 1)[:1] == [keyword]
    ]


def final_stage(dockerfile):
    return dockerfile[dockerfile.rindex("\nFROM ") :]


def test_the_image_is_debian_slim_python_3_12(dockerfile):
    assert (ROOT / ".python-version").read_text().startswith("3.12")
    assert instructions(dockerfile, "FROM")[0].startswith("python:3.12-slim-bookworm")


def test_the_image_installs_what_the_pdfs_and_translations_need(dockerfile):
    runs = " ".join(instructions(dockerfile, "RUN"))
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-core", "gettext"):
        assert re.search(rf"apt-get install -y --no-install-recommends [^&]*\b{package}\b", runs)
    assert "pip install -c constraints.txt ." in runs
    assert "manage.py compilemessages" in runs
    assert "manage.py collectstatic --no-input" in runs


def test_the_image_runs_as_a_user_other_than_root(dockerfile):
    users = instructions(final_stage(dockerfile), "USER")
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert f"--uid {user}" in dockerfile  # the user is created with that id


def test_the_image_bakes_no_secret_and_serves_gunicorn(dockerfile):
    final = final_stage(dockerfile)
    for env in instructions(final, "ENV"):
        assert not re.search(r"SECRET_KEY|PASSWORD|DATABASE_URL|API_KEY", env)
    assert "ARG" not in [line.split(None, 1)[:1] for line in dockerfile.splitlines()]
    assert instructions(final, "EXPOSE") == ["8000"]
    assert instructions(final, "VOLUME") == ['["/app/var"]']
    assert instructions(final, "CMD") == ['["gunicorn", "-c", "kx_platform/gunicorn.conf.py"]']
    (healthcheck,) = instructions(final, "HEALTHCHECK")
    assert healthcheck.endswith('CMD ["python", "deploy/healthcheck.py"]')


@pytest.fixture
def probed_server():
    """A server standing in for gunicorn: 200 on /healthz, 404 elsewhere; it keeps the Host
    header of each request (Django answers 400 to a host not in ALLOWED_HOSTS)."""
    import http.server
    import threading

    hosts = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hosts.append(self.headers["Host"])
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hosts
    server.shutdown()
    server.server_close()


def health_check(url, allowed_hosts):
    env = {**os.environ, "KX_HEALTHCHECK_URL": url, "ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "healthcheck.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_health_check_asks_healthz_with_an_allowed_host(probed_server):
    url, hosts = probed_server
    assert health_check(f"{url}/healthz", ".example.org, kx.example.net").returncode == 0
    assert health_check(f"{url}/healthz", "*").returncode == 0
    assert hosts == ["example.org", "localhost"]
    failed = health_check(f"{url}/no-such-probe", "kx.example.org")
    assert failed.returncode == 1 and "404" in failed.stderr


def test_the_health_check_fails_when_nothing_answers():
    from tests.postgres_cluster import free_port

    result = health_check(f"http://127.0.0.1:{free_port()}/healthz", "kx.example.org")
    assert result.returncode == 1


# --- systemd units ---------------------------------------------------------------------
def unit(name):
    """{section: {key: [values]}} of a unit file."""
    sections, current = {}, None
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _sep, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


LONG_RUNNING = {
    "kx-web.service": "/srv/kx/venv/bin/gunicorn -c kx_platform/gunicorn.conf.py",
    "kx-worker@.service": "db_worker",
    "kx-scheduler.service": "scheduler",
    "kx-search-sync.service": "search_sync",
}


@pytest.mark.parametrize("name", [*LONG_RUNNING, "kx-release.service"])
def test_each_unit_runs_as_kx_hardened_with_the_environment_file(name):
    service = unit(name)["Service"]
    assert service["User"] == ["kx"] and service["Group"] == ["kx"]
    assert service["EnvironmentFile"] == ["/etc/kx/kx.env"]
    assert service["WorkingDirectory"] == ["/srv/kx/app"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["ReadWritePaths"] == ["/srv/kx/var"]
    assert service["PrivateTmp"] == ["yes"]
    assert service["CapabilityBoundingSet"] == [""]
    assert "DJANGO_SETTINGS_MODULE=kx_platform.settings.production" in service["Environment"]


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_long_running_unit_restarts_on_failure_and_runs_its_command(name):
    sections = unit(name)
    service = sections["Service"]
    assert service["Restart"] == ["on-failure"]
    (exec_start,) = service["ExecStart"]
    if name == "kx-web.service":
        assert exec_start == LONG_RUNNING[name]
    else:
        python, manage, command, *_args = exec_start.split()
        assert (python, manage) == ("/srv/kx/venv/bin/python", "manage.py")
        assert command == LONG_RUNNING[name] and command in get_commands()
    assert sections["Unit"]["PartOf"] == ["kx.target"]
    assert "kx-release.service" in sections["Unit"]["After"][0].split()
    assert sections["Install"]["WantedBy"] == ["kx.target"]


def test_the_worker_unit_is_a_template_with_one_id_per_instance():
    (exec_start,) = unit("kx-worker@.service")["Service"]["ExecStart"]
    assert "--worker-id" in exec_start and "%i" in exec_start


def test_the_release_unit_is_a_oneshot_that_is_not_retried():
    service = unit("kx-release.service")["Service"]
    assert service["Type"] == ["oneshot"]
    assert service["ExecStart"] == ["/srv/kx/venv/bin/python manage.py release"]
    assert "Restart" not in service
    assert "release" in get_commands()
