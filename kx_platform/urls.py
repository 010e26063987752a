import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.shortcuts import redirect
from django.urls import include, path, re_path, reverse
from django.utils.http import urlencode
from django.views.decorators.csp import csp_override
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from kx_platform import account_views, health, media_views, site_views
from kx_platform.media_storage import uses_s3
from kx_platform.sitemaps import MultilingualSitemap
from kx_platform.themes import theme_autocomplete
from practices.feeds import practice_feed
from search import views as search_views

handler500 = site_views.server_error


def admin_login(request):
    """One sign-in for the site and the admin, with the second factor: Wagtail's own
    login page forwards to allauth's, then back to the admin (or to ?next=)."""
    target = request.GET.get("next") or reverse("wagtailadmin_home")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/search", search_views.api_search, name="api_search"),
    path("admin/login/", admin_login, name="admin_login_redirect"),
    # Before Wagtail's own view at this address, which matches English names only.
    path(
        "admin/tag-autocomplete/kx_platform/theme/",
        theme_autocomplete,
        name="kx_theme_autocomplete",
    ),
    path(
        "admin/",
        include(
            decorate_urlpatterns(wagtailadmin_urls.urlpatterns, csp_override(settings.ADMIN_CSP))
        ),
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": MultilingualSitemap}}),
    path("robots.txt", site_views.robots_txt, name="robots_txt"),
    path("favicon.ico", site_views.FaviconRedirect.as_view()),
]

# Media on the local disk: image renditions only, in development as in production
# (kx_platform.media_views). With S3 the pages link to the bucket's signed URLs.
if not uses_s3(settings.STORAGES) and settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<name>.+)$",
            media_views.serve_media,
            name="kx_media",
        )
    )

urlpatterns += i18n_patterns(
    # Before allauth's own: all or nothing when the mail cannot go (kx_platform.account_views).
    path("account/signup/", account_views.signup, name="account_signup"),
    path("account/password/reset/", account_views.password_reset, name="account_reset_password"),
    path("account/", include("allauth.urls")),
    path("search/", search_views.search_page, name="search"),
    path("", include("experts.urls")),  # /<lang>/experts/… and /<lang>/institutions/…
    path("", include("practices.guidebook_urls")),  # /<lang>/guidebook-review/…
    path("", include("practices.submission_urls")),  # /<lang>/practices/submit/, mine/
    path("practices/feed/", practice_feed, name="practice_feed"),  # Atom: practices.feeds
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
