"""The campaign's public pages speak the campaign's language, not the visitor's browser's."""

import re

from django.conf import settings
from django.utils import translation

from houseboat.campaigns.models import Campaign

PUBLIC_PATH = re.compile(r"^/c/(?P<slug>[-a-zA-Z0-9_]+)/")
# A visitor's switch to the second language, remembered for this campaign's pages.
COOKIE = "houseboat_site_language"
COOKIE_AGE = 365 * 24 * 3600


class PublicSiteLanguageMiddleware:
    """Activate a public campaign's language on /c/<slug>/…, or its second one if chosen.

    ``?lang=CODE`` switches between the two the campaign offers; the choice is kept in
    a cookie for that campaign's pages only. Anything else asked for is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PUBLIC_PATH.match(request.path_info)
        if match is None:
            return self.get_response(request)
        languages = (
            Campaign.objects.filter(slug=match["slug"], site_public=True)
            .values_list("site_language", "site_second_language")
            .first()
        )
        if languages is None:
            return self.get_response(request)
        first, second = languages
        offered = [code for code in (first, second) if code in dict(settings.LANGUAGES)]
        asked = request.GET.get("lang", "")
        chosen = asked if asked in offered else request.COOKIES.get(COOKIE, "")
        language = chosen if chosen in offered else (offered[0] if offered else first)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            response.headers["Content-Language"] = language
        if asked in offered:
            response.set_cookie(
                COOKIE,
                asked,
                max_age=COOKIE_AGE,
                path=f"/c/{match['slug']}/",
                samesite="Lax",
                httponly=True,
            )
        return response
