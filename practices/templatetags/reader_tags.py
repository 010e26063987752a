"""{% reader_url page %}: where the reader opens a page without leaving their interface
language (practices.reader)."""

from django import template

from practices.reader import reader_url as _reader_url

register = template.Library()


@register.simple_tag(takes_context=True)
def reader_url(context, page):
    return _reader_url(page, request=context.get("request"))
