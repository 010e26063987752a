"""Admin menu items whose address is worked out for each request.

Wagtail builds its menu items once per process and keeps them; an address reversed then
stays in the language of whoever opened the admin first (the public views it links to live
under a language prefix), so an English moderator would be sent to `/ar/...`.
"""

from django.urls import reverse
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem


class PerRequestMenuItem(MenuItem):
    """A menu item naming a URL pattern, reversed in the language of the request that shows
    it, and shown only to users `is_allowed(user)` accepts."""

    def __init__(self, label, url_name, *, is_allowed, **kwargs):
        super().__init__(label, "", **kwargs)
        self.url_name = url_name
        self.is_allowed = is_allowed

    def is_shown(self, request):
        return self.is_allowed(request.user)

    def render_component(self, request):
        # A new component each time: the item itself is shared by every thread of the process.
        return LinkMenuItem(
            self.name,
            self.label,
            reverse(self.url_name),
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
        )
