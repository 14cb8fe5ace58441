from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value):
    """Write a whole number with the language's thousands separator; anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return number_format(
        value, decimal_pos=None if isinstance(value, int) else 1, force_grouping=True
    )
