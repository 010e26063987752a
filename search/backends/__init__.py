"""The two search backends and how the service picks one."""

from django.conf import settings


def elasticsearch_configured():
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))
