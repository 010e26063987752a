"""The sitemap: every live public page of every language, each with its translations.

Wagtail's own Sitemap lists the descendants of the default Site's root page only (the
English home: the other languages' trees are its siblings), at the Site's hostname
(the set-up's "localhost"). This one walks the root page of every language and writes
each address from the configured base URL (`kx_platform.seo`), with `xhtml:link`
alternates for the page's live translations and x-default.
"""

from wagtail.contrib.sitemaps import Sitemap

from kx_platform import seo


class MultilingualSitemap(Sitemap):
    def items(self):
        from wagtail.models import Page

        site_root = self.get_wagtail_site().root_page
        roots = site_root.get_translations(inclusive=True)
        condition = None
        for root in roots:
            branch = Page.objects.descendant_of(root, inclusive=True)
            condition = branch if condition is None else condition | branch
        return (
            condition.live()
            .public()
            .order_by("path")
            .select_related("locale")
            .defer_streamfields()
            .specific()
        )

    def _urls(self, page, protocol, domain):
        items = list(self.paginator.page(page).object_list)
        by_key = {}
        # The translations of a page may fall on another sitemap page: read them all.
        versions = self.items().filter(translation_key__in={i.translation_key for i in items})
        for version in versions:
            by_key.setdefault(version.translation_key, []).append(version)
        order = {code: i for i, code in enumerate(seo.language_codes())}
        urls = []
        last_mods = []
        for item in items:
            path = seo.page_path(item, self.request)
            if path is None:
                continue
            alternates = []
            for version in sorted(
                by_key.get(item.translation_key, [item]),
                key=lambda v: order.get(v.locale.language_code, len(order)),
            ):
                version_path = seo.page_path(version, self.request)
                if version_path:
                    alternates.append(
                        (version.locale.language_code, seo.absolute(version_path, self.request))
                    )
            default = seo.x_default(alternates)
            lastmod = item.last_published_at or item.latest_revision_created_at
            urls.append(
                {
                    "item": item,
                    "location": seo.absolute(path, self.request),
                    "lastmod": lastmod,
                    "alternates": [{"lang_code": code, "location": url} for code, url in alternates]
                    + ([{"lang_code": "x-default", "location": default}] if default else []),
                }
            )
            last_mods.append(lastmod)
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
