"""One pipeline for a member's own data: the export (JSON download) and the deletion of
their account.

Every app that keeps something about a member registers its part in its
`AppConfig.ready()`:

    register_account_part("forum", export=export_forum, delete=delete_forum)

`export(user)` returns a dict of top-level sections of the download (each name owned by
one part); `delete(user)` removes what is the member's alone and detaches, anonymised,
what others still read or rely on. `delete_account()` runs every part's `delete` in
registration order (the order of INSTALLED_APPS, then of the calls in one `ready()`),
then deletes the user, all in one transaction: a part that fails leaves everything as it
was. What is left after the parts have run goes with the foreign keys' `on_delete`
(SET_NULL for what others rely on, shown as "a former member"; CASCADE for what was
only the member's: tests/test_account_deletion.py holds the decision for every field).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

# How a deleted account appears wherever others still read what it wrote.
FORMER_MEMBER = _("a former member")


@dataclass(frozen=True)
class AccountPart:
    name: str
    export: Callable | None = None
    delete: Callable | None = None


_parts: dict[str, AccountPart] = {}


def register_account_part(name, *, export=None, delete=None):
    """Register (or, with the same name, replace) one app's part of the pipeline."""
    if export is None and delete is None:
        raise ValueError(f"The account part {name!r} has neither an export nor a delete.")
    _parts[name] = AccountPart(name, export, delete)


def unregister_account_part(name):
    _parts.pop(name, None)


def account_parts():
    return list(_parts.values())


def json_value(value):
    """A JSON-serialisable form of a model field's value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # file fields
        return value.name or ""
    return value


def export_account(user):
    """Everything the platform holds about `user`, for them alone, as a JSON-ready dict."""
    data = {"exported_at": datetime.datetime.now(datetime.UTC).isoformat()}
    for part in account_parts():
        if part.export is None:
            continue
        for section, value in part.export(user).items():
            if section in data:
                raise ValueError(f"Two account parts export the section {section!r}.")
            data[section] = value
    return data


def delete_account(user):
    """Run every part's deletion, then delete the user, in one transaction."""
    with transaction.atomic():
        for part in account_parts():
            if part.delete is not None:
                part.delete(user)
        user.delete()


def export_sign_in(user):
    """The account itself and its e-mail addresses (allauth's, which go with the user)."""
    from allauth.account.models import EmailAddress

    return {
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "email_addresses": [
                {"email": a.email, "primary": a.primary, "verified": a.verified}
                for a in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "date_joined": json_value(user.date_joined),
            "last_login": json_value(user.last_login),
        }
    }
