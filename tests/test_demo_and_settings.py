"""The demo content, and the settings a new machine and production start from."""

import os
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from wagtail.models import Revision

from practices.models import GoodPracticePage

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kx_platform.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),  # made up for each run
    "ALLOWED_HOSTS": "kx.example.org",
    "DATABASE_URL": "sqlite:////tmp/kx-check.sqlite3",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "KX <kx@example.org>",
    "KX_BASE_URL": "https://kx.example.org",
}


@pytest.mark.django_db
@override_settings(DEBUG=True, KX_SHOW_DEMO_PASSWORDS=False)
def test_load_demo_loads_the_library_and_a_second_run_changes_nothing():
    call_command("load_demo", stdout=open(os.devnull, "w"))
    originals = GoodPracticePage.objects.filter(is_demo=True)
    counts = {
        "pages": originals.count(),
        "live": originals.live().count(),
        "revisions": Revision.objects.count(),
    }
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert counts == {
        "pages": originals.count(),
        "live": originals.live().count(),
        "revisions": Revision.objects.count(),
    }

    practices = {}
    for page in originals.live().order_by("pk"):
        practices.setdefault(page.translation_key, page)  # the original comes first
    by_language = Counter(p.locale.language_code for p in practices.values())
    assert len(practices) >= 40
    assert by_language["ar"] >= 10 and by_language["fr"] >= 10 and by_language["es"] >= 8
    translated = [k for k in practices if originals.filter(translation_key=k).count() > 1]
    assert len(translated) >= 5
    pillars = Counter(
        n for p in practices.values() for n in p.pillars.values_list("number", flat=True)
    )
    assert set(pillars) == {1, 2, 3, 4}
    regions = {s for p in practices.values() for s in p.regions.values_list("slug", flat=True)}
    assert {"africa", "asia-pacific", "arab-states", "latin-america-caribbean"} <= regions
    assert originals.filter(live=False).exists()  # one waits in the moderation queue

    from experts.models import ExpertProfile, Institution

    assert ExpertProfile.objects.count() == 30 and Institution.objects.count() == 6
    statuses = set(ExpertProfile.objects.values_list("status", flat=True))
    assert statuses == {"approved", "submitted", "needs_info", "suspended"}
    assert originals.filter(contact_experts__isnull=False).exists()

    from experts.models import ExchangeRecord

    records = ExchangeRecord.objects.all()
    assert records.filter(request__isnull=True).count() == 40  # and no more on the second run
    assert set(records.values_list("status", flat=True)) == {"pending", "confirmed", "disputed"}
    assert records.filter(status="disputed").count() == 1
    assert records.filter(practice__isnull=False).exclude(practice_use="").count() >= 5
    years = {d.year for d in records.values_list("start_date", flat=True)}
    assert {2023, 2024, 2025, 2026} <= years


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_load_demo_refuses_to_run_in_production():
    with pytest.raises(CommandError):
        call_command("load_demo")


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_HOST"])
def test_production_refuses_to_start_without_its_environment(missing):
    result = run_manage("check", env={**PRODUCTION_ENV, missing: None})
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr
