"""Site-wide answers outside the page tree: robots.txt, /favicon.ico, the 500 page."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from kx_platform import seo

# Accounts, the admin, the APIs, search results and each member's own pages are no
# business of search engines; the rest (pages, practices, the roster, the forum, the
# dashboard) is.
DISALLOWED_PATHS = ["/admin/", "/api/", "/documents/"]
DISALLOWED_UNDER_EACH_LANGUAGE = [
    "account/",
    "search/",
    "forum/moderation/",
    "forum/preferences/",
    "forum/unsubscribe/",
    "experts/apply/",
    "experts/requests/",
    "experts/notifications/",
    "exchanges/records/",
]


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in DISALLOWED_PATHS]
    for code in seo.language_codes():
        lines += [f"Disallow: /{code}/{path}" for path in DISALLOWED_UNDER_EACH_LANGUAGE]
    lines += ["Allow: /", "", f"Sitemap: {seo.absolute('/sitemap.xml', request)}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


class FaviconRedirect(RedirectView):
    """Browsers and crawlers ask for /favicon.ico whatever the page says."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("kx/favicon.svg")


def server_error(request, template_name="500.html"):
    """The 500 page in the language of the URL prefix, rendered without the request
    context, the database or the site's template tags: whatever broke may be any of them."""
    code = translation.get_language_from_path(request.path) or settings.LANGUAGE_CODE
    with translation.override(code):
        template = loader.get_template(template_name)
        body = template.render(
            {
                "LANGUAGE_CODE": code,
                "LANGUAGE_BIDI": translation.get_language_bidi(),
                "home_url": f"/{code}/",
            }
        )
    return HttpResponseServerError(body)
