"""Words a non-programmer trips on stay out of the pages; commands wait in their help."""

import re

import pytest
from django.test import Client

from houseboat.core.models import User
from tests.conftest import client_for

# A shell command, a placeholder or a field name of a file format, shown as words.
JARGON = re.compile(
    r"utm_|\bSLUG\b|orderedItems|houseboat (media|keys|export-site|import|team|worker|serve)\b"
)
HELP = re.compile(r'<details class="command-help">.*?</details>', re.S)


def visible_words(page: bytes) -> str:
    """The page's text as read, leaving out the commands folded into their help."""
    html = HELP.sub("", page.decode())
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "path",
    [
        "/t/team-a/safety/",
        "/t/team-a/campaigns/free-the-ten/",
        "/t/team-a/archive/import/",
        "/t/team-a/publish/",
        "/t/team-a/publish/new/",
    ],
)
def test_team_pages_say_what_a_command_does_and_keep_it_in_the_help(as_alice, campaign_a, path):
    page = as_alice.get(path)
    assert page.status_code == 200, path
    assert JARGON.findall(visible_words(page.content)) == [], path


def test_the_help_still_holds_each_command(as_alice, campaign_a):
    page = as_alice.get("/t/team-a/safety/").content.decode()
    helps = "".join(HELP.findall(page))
    assert "houseboat media clean" in helps and "houseboat keys rotate" in helps


def test_someone_in_no_team_reads_how_to_join_and_the_command_is_in_the_help(db):
    newcomer: Client = client_for(User.objects.create_user("sam", password="x" * 16))
    page = newcomer.get("/").content
    assert "Ask an owner for an invitation link" in visible_words(page)
    assert JARGON.findall(visible_words(page)) == []
    assert "houseboat team create &quot;Team name&quot; --owner sam" in page.decode()
