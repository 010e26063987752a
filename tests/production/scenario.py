"""Data for the production-like test, written with the production settings by
`manage.py shell -c "from tests.production.scenario import setup; setup()"` (the release
step has run). Prints one JSON line with what the test needs."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command

PASSWORD = "right-pass-2026"
SUBSCRIBERS = 400
FEW = 5


def _verified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def setup():
    from experts.forum.models import Category, Subscription
    from tests.forum_factories import direct_thread, vetted_expert
    from tests.guidebook_factories import make_edition

    call_command("load_demo", allow_production=True, verbosity=0)
    User = get_user_model()
    fatima = User.objects.create_user("fatima", "fatima@example.org", PASSWORD)
    _verified(fatima)
    poster = vetted_expert("omar")
    poster.email = "omar@example.org"
    poster.set_password(PASSWORD)
    poster.save()
    _verified(poster)

    crowd = Category.objects.get(slug="general")
    password = make_password("not-used")
    users = User.objects.bulk_create(
        User(username=f"member{n}", email=f"member{n}@example.org", password=password)
        for n in range(SUBSCRIBERS)
    )
    Subscription.objects.bulk_create(Subscription(user=u, category=crowd) for u in users)
    # Written directly: their announcements (queued now, run later by the worker) would
    # reach the subscribers added here and blur what the test counts.
    busy = direct_thread(poster, title="Youth centres in the Sahel")
    quiet = direct_thread(poster, slug="pillar-1", title="Radio dramas")
    few = User.objects.bulk_create(
        User(username=f"few{n}", email=f"few{n}@example.org", password=password) for n in range(FEW)
    )
    Subscription.objects.bulk_create(Subscription(user=u, thread=quiet) for u in few)
    edition = make_edition([("Conditions", [])], slug="edition-production", commit=False)
    print(
        json.dumps(
            {
                "busy_thread": busy.pk,
                "quiet_thread": quiet.pk,
                "edition_url": edition.url,
                "edition_pk": edition.pk,
            }
        )
    )
