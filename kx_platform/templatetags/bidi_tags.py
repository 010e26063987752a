"""Filters that isolate mixed-direction fragments (see kx_platform.bidi).

`{{ name|bdi }}`: a user's name, an organisation, an e-mail, any fragment that may be
written in another direction than the page, as one unit.
`{{ pillar|numbered_label }}`: "IV. Name" with the numeral isolated.
"""

from django import template

from kx_platform import bidi as bidi_helpers

register = template.Library()


@register.filter(is_safe=True)
def bdi(value):
    return bidi_helpers.isolate(value)


@register.filter(is_safe=True)
def numbered_label(value):
    return bidi_helpers.numbered_label(value)
