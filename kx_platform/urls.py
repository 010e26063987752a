from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from search import views as search_views

urlpatterns = [
    path("api/v1/search", search_views.api_search, name="api_search"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path(
        "account/sign-in/",
        auth_views.LoginView.as_view(
            template_name="kx_platform/sign_in.html", redirect_authenticated_user=True
        ),
        name="sign_in",
    ),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="sign_out"),
    path("search/", search_views.search_page, name="search"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
