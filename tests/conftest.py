"""Personas: alice (owner), bob (editor), charlie (contributor), victor (viewer) of
team A; mallory owns team B and must never see anything of team A."""

import functools
import shutil

import pytest
from django.db import connection
from django.test import Client

from houseboat.campaigns.models import Campaign
from houseboat.core.constants import Role
from houseboat.core.models import Membership, Team, User
from tests.realservers.synapse import synapse_python

PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(config, items):
    """Leave out the tests written for the other database, rather than skip them.

    ``@pytest.mark.backend("postgresql")`` marks a test of what only PostgreSQL does
    (row locks, its full-text index); scripts/test runs the suite on SQLite and then
    on PostgreSQL, so every such test runs in one of the two passes, and the summary
    line counts it as deselected, not as a skip. A real-server test
    (``@pytest.mark.realserver`` for snac2, ``realserver("bluesky")`` or
    ``realserver("synapse")`` for another server) is left out the same way where its server is not installed.
    """
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        wrong_database = marker is not None and connection.vendor not in marker.args
        # The real-server tier needs its servers (scripts/test installs them where it can).
        missing = [name for name in servers_needed(item) if name in missing_servers()]
        (left_out if wrong_database or missing else kept).append(item)
        LEFT_OUT_TIERS.update(missing)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def servers_needed(item) -> set[str]:
    """The real servers a test runs against: ``realserver("bluesky")``; snac2 when unnamed."""
    return {
        name for marker in item.iter_markers("realserver") for name in (marker.args or ("snac2",))
    }


@functools.cache
def missing_servers() -> dict[str, str]:
    """Each real server that is not installed here, with what to do about it."""
    from tests.realservers.bluesky_pds import not_installed

    missing = {}
    if shutil.which("snac") is None:
        missing["snac2"] = (
            "snac2 is not installed. scripts/test installs it from Debian bookworm-backports "
            "(apt-get install -t bookworm-backports snac2)."
        )
    if reason := not_installed():
        missing["bluesky"] = (
            f"{reason}. scripts/test installs Node 22 and the Bluesky PDS/AppView from the "
            "npm registry."
        )
    from tests.connectors.test_text_reference import not_installed as no_twitter_text

    if reason := no_twitter_text():
        missing["twitter-text"] = (
            f"{reason}. scripts/test installs it from the npm registry, on the Node of the "
            "Bluesky tier."
        )
    if not synapse_python():
        missing["synapse"] = (
            "Synapse is not installed. scripts/test installs it from PyPI (matrix-synapse) "
            "into ~/.cache/houseboat/synapse; HOUSEBOAT_SYNAPSE_PYTHON may name a Python "
            "that has it."
        )
    return missing


LEFT_OUT_TIERS: set[str] = set()


def pytest_terminal_summary(terminalreporter):
    """Say plainly when a part of the real-server tier did not run, and why."""
    for name in sorted(LEFT_OUT_TIERS):
        terminalreporter.write_line(
            f"NOTE: the real-server tests against {name} (-m realserver) did not run: "
            f"{missing_servers()[name]}",
            yellow=True,
        )


def make_user(username: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD)


@pytest.fixture
def team_a(db) -> Team:
    return Team.objects.create(name="Team A", slug="team-a")


@pytest.fixture
def team_b(db) -> Team:
    return Team.objects.create(name="Team B", slug="team-b")


def member(team: Team, username: str, role: str) -> User:
    user = make_user(username)
    Membership.objects.create(team=team, user=user, role=role)
    return user


@pytest.fixture
def alice(team_a) -> User:
    return member(team_a, "alice", Role.OWNER)


@pytest.fixture
def bob(team_a) -> User:
    return member(team_a, "bob", Role.EDITOR)


@pytest.fixture
def charlie(team_a) -> User:
    return member(team_a, "charlie", Role.CONTRIBUTOR)


@pytest.fixture
def victor(team_a) -> User:
    return member(team_a, "victor", Role.VIEWER)


@pytest.fixture
def mallory(team_b) -> User:
    return member(team_b, "mallory", Role.OWNER)


@pytest.fixture
def campaign_a(team_a) -> Campaign:
    return Campaign.objects.create(
        team=team_a,
        name="Free the Ten",
        slug="free-the-ten",
        summary="Public summary of team A's campaign.",
        goals=["Secret goal of team A"],
        key_messages=["Internal key message"],
        hashtags=["FreeTheTen"],
        site_public=True,
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def as_bob(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def as_charlie(charlie) -> Client:
    return client_for(charlie)


@pytest.fixture
def as_victor(victor) -> Client:
    return client_for(victor)


@pytest.fixture
def as_mallory(mallory) -> Client:
    return client_for(mallory)
