"""The digits numbers and dates are shown in: Western (123), Arabic-Indic (١٢٣) or
Persian (۱۲۳), as a person chooses on their security page (issue 16).

Only what a template marks with the `digits` filter is converted: a number or a date
shown to a person. Converting the whole page would reach addresses, ids, form values
and attributes, which must stay ASCII for the browser and the server to read them.

A person's choice lives in a context variable for the request (DigitsMiddleware sets
it), as Django keeps the active language. With no choice, each language's usual digits:
Persian is written with Persian digits in Iran and Afghanistan alike, so Persian pages
use them. Arabic is not one usage: the Maghreb writes Western digits, the Gulf and the
Levant often Arabic-Indic ones, and interfaces and social networks mostly show Western
digits, so Arabic pages keep Western digits unless the person chooses otherwise.
Every other language uses Western digits.
"""

import re
from contextvars import ContextVar, Token

from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from houseboat.core.constants import Digits

ZEROS = {Digits.WESTERN: "0", Digits.ARABIC_INDIC: "\u0660", Digits.PERSIAN: "\u06f0"}
USUAL = {"fa": Digits.PERSIAN}
TABLES = {
    system: str.maketrans("0123456789", "".join(chr(ord(zero) + i) for i in range(10)))
    for system, zero in ZEROS.items()
}
# In HTML that is already safe, tags and character references keep their digits.
MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")

_chosen: ContextVar[str] = ContextVar("houseboat_digits", default=Digits.USUAL)


def activate(choice: str) -> Token:
    """Use the digits a person chose ('' for their language's usual) until reset."""
    return _chosen.set(choice if choice in ZEROS else Digits.USUAL)


def reset(token: Token) -> None:
    _chosen.reset(token)


def system() -> str:
    """The digits to show now: the person's choice, else their language's usual."""
    if chosen := _chosen.get():
        return chosen
    language = (translation.get_language() or "").split("-")[0]
    return USUAL.get(language, Digits.WESTERN)


def convert(value: object, digits: str | None = None) -> str:
    """Write the ASCII digits of value in the chosen digits; leave markup untouched."""
    table = TABLES[digits or system()]
    text = str(value)
    if not isinstance(value, SafeData):
        return text.translate(table)
    parts = MARKUP.split(text)
    parts[::2] = [part.translate(table) for part in parts[::2]]
    return mark_safe("".join(parts))  # noqa: S308 (only digits changed, outside markup)
