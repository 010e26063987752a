"""Figures, dates and names in the reader's conventions (kx_platform.formatting).

{% load kx_format %}
{{ record.value|money:record.currency }}   {{ record.currency|currency_name }}
{{ record.start_date|local_date }}         {% date_range record.start_date record.end_date %}
{{ req.language|language_label }}          {{ total|local_number }}
"""

from django import template

from kx_platform import formatting

register = template.Library()


@register.filter
def money(value, currency=""):
    return formatting.format_money(value, currency)


@register.filter
def local_number(value):
    return formatting.format_number(value)


@register.filter
def local_date(value, size="long"):
    return formatting.format_date(value, size)


@register.simple_tag
def date_range(start, end):
    return formatting.format_date_range(start, end)


@register.filter
def currency_name(code):
    return formatting.currency_name(code)


@register.filter
def language_label(code):
    """A language code as the language's name in the reader's language."""
    return formatting.language_name(code)
