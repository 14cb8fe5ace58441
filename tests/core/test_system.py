from unittest import mock

from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path

from houseboat.urls import urlpatterns as real_urls


def broken_database_view(request):
    raise OperationalError("unable to open database file")


def crashing_view(request):
    raise ValueError("a bug")


urlpatterns = [
    *real_urls,
    path("test-broken-db/", broken_database_view),
    path("test-crash/", crashing_view),
]
handler500 = "houseboat.core.views.system.server_error"
handler404 = "houseboat.core.views.system.page_not_found"


def test_healthz_answers_ok_when_the_database_does(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(db):
    with mock.patch(
        "houseboat.core.views.system.connection.cursor", side_effect=OperationalError("gone")
    ):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_that_cannot_be_opened_gives_a_503_page_not_a_traceback(db):
    response = Client(raise_request_exception=False).get("/test-broken-db/")
    assert response.status_code == 503
    assert b"cannot open its database" in response.content
    assert b"Traceback" not in response.content
    assert b"unable to open database file" not in response.content


@override_settings(ROOT_URLCONF=__name__)
def test_an_unexpected_error_gives_a_plain_500_page(db):
    response = Client(raise_request_exception=False).get("/test-crash/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"a bug" not in response.content


def test_unknown_page_is_a_friendly_404(db):
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_security_headers_are_strict(db):
    response = Client().get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp and "unsafe" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_over_tls_only(db):
    assert "Strict-Transport-Security" not in Client().get("/login/").headers
    secure = Client().get("/login/", secure=True)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_secure_httponly_and_samesite(alice):
    client = Client()
    client.post(
        "/login/", {"username": "alice", "password": "correct horse battery staple"}, secure=True
    )
    cookie = client.cookies["houseboat_session"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_login_over_plain_http_from_afar_explains_https(db):
    response = Client().get("/login/", HTTP_HOST="localhost")
    assert b"only signs people in over HTTPS" not in response.content
    with override_settings(ALLOWED_HOSTS=["desk.example.org"]):
        remote = Client().get("/login/", HTTP_HOST="desk.example.org")
    assert b"only signs people in over HTTPS" in remote.content


def test_pages_are_served_in_the_chosen_language_and_direction(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "ar", "next": "/login/"})
    page = client.get("/login/")
    assert b'dir="rtl"' in page.content and b'lang="ar"' in page.content


def test_vendored_htmx_is_served_from_this_server(db):
    page = Client().get("/login/").content.decode()
    assert 'src="/static/houseboat/vendor/htmx-2.0.11/htmx.min.js"' in page
    assert "//" not in page.split("htmx.min.js")[0].rsplit('src="', 1)[1]


def test_a_form_without_its_token_gets_a_page_that_says_what_to_do(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/t/team-a/campaigns/new/", {"name": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b"reload the page" in response.content


def test_the_language_a_member_chooses_follows_them_to_another_browser(alice):
    from tests.conftest import client_for

    laptop = client_for(alice)
    laptop.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "fa"

    phone = client_for(alice)  # no language cookie: a browser that never chose
    page = phone.get("/", follow=True).content.decode()
    assert 'lang="fa"' in page and 'dir="rtl"' in page


def test_a_language_houseboat_does_not_offer_is_not_kept_on_the_account(alice):
    from tests.conftest import client_for

    client_for(alice).post("/i18n/setlang/", {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == ""


def test_choosing_a_language_signed_out_keeps_it_in_the_browser_only(alice):
    client = Client()
    client.post("/i18n/setlang/", {"language": "es", "next": "/login/"})
    assert 'lang="es"' in client.get("/login/").content.decode()
    alice.refresh_from_db()
    assert alice.language == ""
