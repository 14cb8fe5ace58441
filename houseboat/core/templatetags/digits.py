"""`{{ value|digits }}`: a number or a date in the digits the reader chose.

A builtin (settings.TEMPLATES), so every template may use it without `{% load %}`.
Use it on what a person reads, never inside an address, an id or a form value.
"""

from django import template

from houseboat.core import digits as digit_systems

register = template.Library()


@register.filter(is_safe=True)
def digits(value: object) -> str:
    """Show value's digits in the reader's digits (houseboat.core.digits)."""
    if value is None or value == "":
        return value
    return digit_systems.convert(value)
