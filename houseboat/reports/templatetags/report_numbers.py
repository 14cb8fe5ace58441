import unicodedata

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


@register.filter
def text_dir(value) -> str:
    """Return "rtl" when the text's first strong character is right-to-left, else "ltr".

    What ``dir="auto"`` does in a browser, worked out here because WeasyPrint does not:
    an Arabic cell in an English report then aligns right, its full stop on the left.
    """
    for char in str(value):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
