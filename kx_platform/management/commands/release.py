"""The release step: run once per deployment, after the new code is in place and before
the web, worker, scheduler and search_sync processes start on it.

    manage.py release

1. the cache table (`createcachetable`): production's database cache (`kx_cache`, used when
   CACHE_URL is unset) must exist before anything touches the cache, migrate included;
2. `migrate --no-input`;
3. the default Wagtail site's hostname and port from KX_BASE_URL, so that page URLs,
   sitemaps, feeds and e-mailed links name the public address (https: 443, http: 80,
   unless the URL names a port);
4. the missing guidebook PDFs queued for the worker (`guidebook_build_pdfs`): a release
   that changes their layout makes new ones.

Every step is idempotent: running the release again changes nothing. It prints one line
per step. KX_BASE_URL is checked first, so a bad value stops the release before anything
is changed, with one line saying why. On PostgreSQL an advisory lock keeps two releases
started at once (two hosts, a retried job) from migrating side by side.
"""

import io
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

# Any constant will do; it only has to be the same for every release of this platform.
ADVISORY_LOCK_KEY = 0x4B58_0001  # "KX", release


def site_address(base_url):
    """(scheme, hostname, port) of the public address, or CommandError saying what is
    wrong with it."""

    def refuse(reason):
        return CommandError(f"KX_BASE_URL {base_url!r} is not usable: {reason}.")

    parts = urlsplit((base_url or "").strip())
    if parts.scheme not in ("http", "https"):
        raise refuse("it must start with https:// (or http://)")
    if not parts.hostname:
        raise refuse("it names no host")
    if parts.username is not None or parts.password is not None:
        raise refuse("it must not hold a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise refuse("it must be the site's root, e.g. https://kx.example.org")
    try:
        port = parts.port
    except ValueError:
        raise refuse("its port is not a number from 1 to 65535") from None
    if port == 0:
        raise refuse("its port is not a number from 1 to 65535")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


class Command(BaseCommand):
    help = (
        "The release step, once per deployment before the processes start: cache table, "
        "migrations, the site's address from KX_BASE_URL, missing guidebook PDFs queued."
    )

    def handle(self, *args, **options):
        scheme, hostname, port = site_address(settings.WAGTAILADMIN_BASE_URL)
        with self.lock():
            self.say(self.cache_table())
            self.say(self.migrate())
            self.say(self.site(scheme, hostname, port))
            self.say(self.guidebook_pdfs())
        self.say("release: done")

    def say(self, line):
        self.stdout.write(line)

    # --- the steps ----------------------------------------------------------------------
    def cache_table(self):
        tables = [
            cache["LOCATION"]
            for cache in settings.CACHES.values()
            if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        ]
        if not tables:
            return "cache table: none needed (the cache is not in the database)"
        existing = set(connection.introspection.table_names())
        missing = [table for table in tables if table not in existing]
        call_command("createcachetable", verbosity=0)
        if missing:
            return f"cache table: created {', '.join(sorted(set(missing)))}"
        return f"cache table: {', '.join(sorted(set(tables)))} present"

    def migrate(self):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        call_command("migrate", interactive=False, verbosity=0)
        if not plan:
            return "migrate: no migrations to apply"
        return f"migrate: applied {len(plan)} migration{'s' if len(plan) != 1 else ''}"

    def site(self, scheme, hostname, port):
        from wagtail.models import Site

        # Wagtail's Site.root_url knows https on 443 only: say so rather than be surprising.
        note = ""
        if scheme == "https" and port != 443:
            note = "; Wagtail's full URLs to it start with http:// (https only on port 443)"

        site = Site.objects.filter(is_default_site=True).first()
        if site is None:  # the post_migrate set-up (kx_platform.site_setup) makes it
            raise CommandError("There is no default Wagtail site after migrate.")
        if (site.hostname, site.port) == (hostname, port):
            return f"site: {hostname}:{port} (unchanged){note}"
        taken = Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk)
        if taken.exists():
            raise CommandError(
                f"Another Wagtail site already has {hostname}:{port}; remove it in the admin "
                "(Settings > Sites) or change KX_BASE_URL."
            )
        before = f"{site.hostname}:{site.port}"
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
        return f"site: {hostname}:{port} (was {before}){note}"

    def guidebook_pdfs(self):
        out = io.StringIO()
        call_command("guidebook_build_pdfs", stdout=out)
        lines = out.getvalue().splitlines()
        queued = sum(line.endswith(": queued") for line in lines)
        waiting = sum(line.endswith(": already queued") for line in lines)
        if not lines:
            return "guidebook PDFs: none missing"
        return f"guidebook PDFs: {queued} queued for the worker, {waiting} already queued"

    # --- one release at a time ----------------------------------------------------------
    @contextmanager
    def lock(self):
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        try:
            yield
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
            except DatabaseError:  # the connection is gone, and the lock with it
                pass
