"""Every URL is checked: anonymous visitors are sent to sign in, outsiders get 404.

A new URL fails this test until it is put in one of the lists below, so no page
goes live without someone deciding who may reach it.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Open to everyone, by design.
PUBLIC = {
    "healthz",
    "set_language",
    "core:login",
    "core:login_verify",
    "core:join",
    "core:translations",
}
# Called by networks, authenticated by their signatures, not by a sign-in.
WEBHOOKS = {"whatsapp:webhook"}
# The dead-man switch's one-time check-in link: public because the token is the
# credential (a person who cannot sign in must still be able to check in).
CHECK_IN_LINKS = {"deadman:link"}
PUBLIC_SITE = {
    "public:site",
    "public:post",
    "public:feed",
    "public:picture",
    "public_demands:tracker",
    "act:action",
    "act:signup",
}
# Supporters' own links: a tracked short link, an e-mail confirmation, an unsubscribe.
SUPPORTER_LINKS = {"tracked_link", "confirm_signup", "unsubscribe"}
# Need sign-in, but belong to no team (the person's own account).
PERSONAL = {
    "core:home",
    "core:logout",
    "core:security",
    "core:two_factor",
    "core:two_factor_disable",
    "core:password_change",
    "core:notice_email",
    "core:digits",
    "core:session_revoke",
    "core:sessions_revoke_all",
}

SAMPLE_KWARGS = {
    "team_slug": "team-a",
    "slug": "free-the-ten",
    "pk": "1",
    "token": "x",
    "code": "x",
    "network": "mastodon",
    "action": "pause",
    # Not a media hash: the graphic exposure counter answers 404 (a viewer counts their own).
    "sha256": "x",
}


def all_url_names(resolver=None, namespace="") -> list[tuple[str, str]]:
    """Return (name, route) for every named URL pattern."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            prefix = str(entry.pattern)
            found += [(name, prefix + route) for name, route in all_url_names(entry, inner)]
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, str(entry.pattern)))
    return found


def sample_path(route: str) -> str:
    path = "/" + route
    for key, value in SAMPLE_KWARGS.items():
        for converter in ("slug", "int", "str"):
            path = path.replace(f"<{converter}:{key}>", value)
    return path


URLS = all_url_names()
TEAM_URLS = [(name, route) for name, route in URLS if "<slug:team_slug>" in route]


def test_every_url_is_classified():
    unclassified = {
        name
        for name, route in URLS
        if name not in PUBLIC | PUBLIC_SITE | PERSONAL | WEBHOOKS | CHECK_IN_LINKS | SUPPORTER_LINKS
        and "<slug:team_slug>" not in route
    }
    assert unclassified == set()


@pytest.mark.parametrize(
    ("name", "route"), [u for u in URLS if u[0] in PERSONAL or "<slug:team_slug>" in u[1]]
)
def test_anonymous_visitors_are_sent_to_sign_in(db, name, route):
    for method in ("get", "post"):
        response = getattr(Client(), method)(sample_path(route))
        if response.status_code == 405:
            continue
        assert response.status_code == 302, f"{method} {name}"
        assert response.url.startswith("/login/"), f"{method} {name}"


@pytest.mark.parametrize(("name", "route"), TEAM_URLS)
def test_an_outsider_gets_404_on_every_team_url(as_mallory, campaign_a, alice, name, route):
    for method in ("get", "post"):
        response = getattr(as_mallory, method)(sample_path(route))
        assert response.status_code in {404, 405}, f"{method} {name}"
        if response.status_code == 404:
            assert b"Team A" not in response.content


@pytest.mark.parametrize(("name", "route"), TEAM_URLS)
def test_a_viewer_changes_nothing(as_victor, campaign_a, name, route):
    response = as_victor.post(
        sample_path(route), {"role": "owner", "name": "Hijacked", "title": "x", "body": "x"}
    )
    assert response.status_code in {403, 404, 405}, name
    campaign_a.refresh_from_db()
    assert campaign_a.name == "Free the Ten"
