"""Health check and error pages that never show a traceback."""

import logging
import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("Health check: the database does not answer: %s", exc)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def error_page(status: int, title: str, message: str) -> HttpResponse:
    """Render an error page without touching the database or the session."""
    html = render_to_string(
        "errors/error.html", {"status": status, "title": title, "message": message}
    )
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        400, _("Bad request"), _("The request could not be understood. Go back and try again.")
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else _("You do not have access to this page.")
    )
    return error_page(403, _("Not allowed"), message)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        404,
        _("Page not found"),
        _("There is nothing here. Check the address, or go back to the start page."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Say plainly when the database is the problem; otherwise a generic apology."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        return error_page(
            503,
            _("The database is not available"),
            _(
                "houseboat cannot open its database. Nothing you entered was saved. "
                "Ask whoever runs houseboat to check the server log, then try again."
            ),
        )
    return error_page(
        500,
        _("Something went wrong"),
        _("houseboat hit an error it did not expect. It was logged. Please try again."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form came back without its security token: usually an old tab or blocked cookies."""
    return error_page(
        403,
        _("This form has expired"),
        _(
            "For your safety, houseboat only accepts a form from the page it just sent. "
            "Go back, reload the page and send it again. If it keeps happening, allow "
            "cookies for this site; over plain HTTP, ask whoever runs houseboat to check "
            "HOUSEBOAT_HTTPS."
        ),
    )
