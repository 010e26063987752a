"""System checks: a misconfigured cluster is refused at start-up (`manage.py check`, every
command, the app server), with the reason, instead of failing the first search."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def elasticsearch_settings(app_configs, **kwargs):
    if not getattr(settings, "ELASTICSEARCH_URL", ""):
        return []
    from search.backends.elastic import cluster_settings

    try:
        cluster_settings()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="kx.search.E001")]
    return []
