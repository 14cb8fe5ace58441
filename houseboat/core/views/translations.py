"""About translations: which languages houseboat speaks and how far a person checked each."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_info
from django.views.decorators.http import require_safe

from houseboat.core import catalogues


@require_safe
def about_translations(request: HttpRequest) -> HttpResponse:
    """Show each language's share of entries translated and reviewed, read from its catalogue.

    Open to everyone, signed in or not: a supporter reading a public page in Malay has
    the same right to know that a machine drafted it.
    """
    rows = [
        {
            "code": code,
            "name": get_language_info(code)["name_translated"],
            "name_local": name,
            "status": catalogues.status(code),
        }
        for code, name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
    ]
    return render(request, "core/translations.html", {"rows": rows})
