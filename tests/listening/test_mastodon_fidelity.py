"""Mastodon archives from 2022 to 2026: direct messages said, numeric account addresses."""

import json

import pytest

from houseboat.listening.imports import run_import
from houseboat.listening.models import Author, Item
from tests.listening.samples import (
    ACTOR,
    ACTOR_JSON,
    SERVER,
    note_activity,
    outbox,
    standard_outbox,
    write,
)

pytestmark = pytest.mark.django_db

# Since Mastodon 4.4 a new account's ActivityPub address ends in its number.
NUMERIC = f"{SERVER}/ap/users/113456789012345678"


def numeric_outbox() -> dict:
    """An outbox as Mastodon 4.4+ writes it for an account with a numeric address."""
    box = standard_outbox()
    text = json.dumps(box).replace(ACTOR, NUMERIC)
    return json.loads(text)


def test_the_import_says_how_many_direct_messages_it_left_out_and_why(campaign_a, tmp_path):
    box = standard_outbox()
    box["orderedItems"].append(
        note_activity(
            "112000000000000005", "<p>also private</p>", to=[f"{SERVER}/users/bea"], cc=[]
        )
    )
    capture = run_import(
        campaign=campaign_a,
        format="mastodon-outbox",
        path=write(tmp_path / "outbox.json", json.dumps(box).encode()),
    )
    assert "private" not in " ".join(Item.objects.values_list("text", flat=True))
    [note] = [n for n in capture.notes if "direct message" in n]
    assert note.startswith("2 direct messages were left out: they are the account's private")
    assert capture.report["notes"] == capture.notes


def test_a_numeric_account_address_gets_the_real_handle_from_the_posts(campaign_a, tmp_path):
    path = write(tmp_path / "outbox.json", json.dumps(numeric_outbox()).encode())
    run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    handles = set(Author.objects.values_list("handle", flat=True))
    assert handles == {"@ana@example.social"}


def test_an_unpacked_archive_takes_the_handle_from_actor_json(campaign_a, tmp_path):
    actor = {**ACTOR_JSON, "id": NUMERIC, "preferredUsername": "ana_campaigns"}
    write(tmp_path / "actor.json", json.dumps(actor).encode())
    path = write(tmp_path / "outbox.json", json.dumps(numeric_outbox()).encode())
    run_import(campaign=campaign_a, format="mastodon-outbox", path=path)
    author = Author.objects.get()
    assert (author.handle, author.display_name) == ("@ana_campaigns@example.social", actor["name"])


def test_an_outbox_without_direct_messages_says_nothing_of_them(campaign_a, tmp_path):
    box = outbox([note_activity("112000000000000001", "<p>Day 100</p>")])
    capture = run_import(
        campaign=campaign_a,
        format="mastodon-outbox",
        path=write(tmp_path / "outbox.json", json.dumps(box).encode()),
    )
    assert not any("direct message" in n for n in capture.notes)
