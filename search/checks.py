"""System checks: a misconfigured cluster is refused at start-up (`manage.py check`, every
command, the app server), with the reason, instead of failing the first search.

The embedded index is a file of one host (search.backends.embedded): KX_APP_HOSTS, the
number of hosts that run KX's web processes or task workers, above 1 without
ELASTICSEARCH_URL is an error (kx.search.E002): every command that runs the checks
refuses to start, gunicorn's start included (kx_platform/gunicorn.conf.py). The
deployment checks add a note (kx.search.I001, an info: one host without Elasticsearch
is a valid deployment) that the embedded index is single-host.

Tagged "kx_search": `manage.py search_catch_up` runs these only.
"""

from django.conf import settings
from django.core.checks import Error, Info, register
from django.core.exceptions import ImproperlyConfigured

TAG = "kx_search"


@register(TAG)
def elasticsearch_settings(app_configs, **kwargs):
    if not getattr(settings, "ELASTICSEARCH_URL", ""):
        return []
    from search.backends.elastic import cluster_settings

    try:
        cluster_settings()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="kx.search.E001")]
    return []


def app_hosts():
    value = getattr(settings, "KX_APP_HOSTS", 1)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@register(TAG)
def embedded_index_hosts(app_configs, **kwargs):
    hosts = app_hosts()
    if hosts is None or hosts < 1:
        return [
            Error(
                f"KX_APP_HOSTS must be a whole number of hosts, 1 or more, not "
                f"{getattr(settings, 'KX_APP_HOSTS', None)!r}.",
                id="kx.search.E003",
            )
        ]
    if hosts > 1 and not getattr(settings, "ELASTICSEARCH_URL", ""):
        return [
            Error(
                f"KX_APP_HOSTS is {hosts} but ELASTICSEARCH_URL is not set: the embedded "
                "search index is a file of one host, and the other hosts would search an "
                "index that misses changes.",
                hint="Set ELASTICSEARCH_URL and run `manage.py search_sync` (one per "
                "deployment), or run KX's web and workers on one host (KX_APP_HOSTS=1).",
                id="kx.search.E002",
            )
        ]
    return []


@register(TAG, deploy=True)
def embedded_index_single_host(app_configs, **kwargs):
    if getattr(settings, "ELASTICSEARCH_URL", ""):
        return []
    return [
        Info(
            "Search uses the embedded index, a file on this host (var/search.sqlite3) that "
            "the web processes and task workers of this host share.",
            hint="Before adding a host, set ELASTICSEARCH_URL and KX_APP_HOSTS.",
            id="kx.search.I001",
        )
    ]
