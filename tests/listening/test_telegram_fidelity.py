"""Telegram Desktop exports as it writes them: the whole account, old local times, left-out files."""

import io
import json

import pytest
from django.core.management import call_command

from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.models import Item, ItemMedia
from tests.listening.samples import telegram_export, telegram_message, write

pytestmark = pytest.mark.django_db


def imported(campaign, path, **kwargs):
    return run_import(campaign=campaign, format="telegram-json", path=path, **kwargs)


def account_export() -> dict:
    """The result.json of “Export Telegram data” (Settings → Advanced), machine-readable JSON."""
    return {
        "about": "Here is the data you requested. Remember: Telegram is ad free, it doesn't use "
        "your data for ad targeting and doesn't sell it to others.",
        "personal_information": {
            "user_id": 555000111,
            "first_name": "Ana",
            "last_name": "",
            "phone_number": "+34 600 000 000",
            "username": "@ana_campaigns",
            "bio": "",
        },
        "profile_pictures": [],
        "contacts": {"about": "This is your contact list.", "list": []},
        "frequent_contacts": {"about": "People you talk to often.", "list": []},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "name": "Free the Ten",
                    "type": "public_channel",
                    "id": 1234567890,
                    "messages": [
                        telegram_message(2, "Day 100 of detention."),
                        telegram_message(3, "Vigil on Friday #FreeTheTen"),
                    ],
                },
                {
                    "name": "Omar",
                    "type": "personal_chat",
                    "id": 777000222,
                    "messages": [
                        telegram_message(
                            9, "see you there", **{"from": "Omar", "from_id": "user777000222"}
                        )
                    ],
                },
            ],
        },
        "left_chats": {
            "about": "This page lists all supergroups and channels you left.",
            "list": [
                {
                    "name": "Old coalition",
                    "type": "private_supergroup",
                    "id": 42,
                    "messages": [telegram_message(1, "We are closing this group")],
                }
            ],
        },
    }


def account_file(tmp_path):
    return write(tmp_path / "result.json", json.dumps(account_export(), indent=1).encode())


def test_a_whole_account_export_imports_every_chat(campaign_a, tmp_path):
    capture = imported(campaign_a, account_file(tmp_path))
    assert capture.items_new == 4
    assert set(Item.objects.values_list("remote_id", flat=True)) == {
        "-1001234567890:2",
        "-1001234567890:3",
        "777000222:9",
        "-10042:1",
    }


def test_only_the_chats_chosen_are_imported(campaign_a, tmp_path):
    capture = imported(campaign_a, account_file(tmp_path), options={"chat": ["free the ten", "42"]})
    assert capture.items_new == 3
    assert not Item.objects.filter(remote_id__startswith="777000222:").exists()


def test_a_chat_name_not_in_the_export_is_refused(campaign_a, tmp_path):
    with pytest.raises(ImportFileError, match=r"No chat in result\.json is called 'nobody'"):
        imported(campaign_a, account_file(tmp_path), options={"chat": ["Nobody"]})
    assert not Item.objects.exists()


def test_the_command_takes_chat_more_than_once(campaign_a, tmp_path):
    out = io.StringIO()
    call_command(
        "import",
        "telegram-json",
        str(account_file(tmp_path)),
        "--campaign",
        "free-the-ten",
        "--chat",
        "Omar",
        "--chat",
        "Old coalition",
        stdout=out,
    )
    assert "Imported 2 new items" in out.getvalue()


def old_export():
    """A Telegram Desktop export from before 2021: ``date`` only, the computer's local time."""
    message = telegram_message(2, "Day 100 of detention.", date="2020-05-28T12:15:00")
    del message["date_unixtime"]
    repeated = telegram_message(3, "the hour twice", date="2020-10-25T02:30:00")
    del repeated["date_unixtime"]
    return telegram_export([message, repeated])


def test_an_old_export_says_its_times_were_read_as_utc(campaign_a, tmp_path):
    path = write(tmp_path / "result.json", json.dumps(old_export()).encode())
    capture = imported(campaign_a, path)
    assert any("computer's local time" in note for note in capture.notes)
    assert Item.objects.get(remote_id="-1001234567890:2").created_at.isoformat() == (
        "2020-05-28T12:15:00+00:00"
    )


def test_an_old_export_imported_again_with_its_zone_gets_corrected_times(campaign_a, tmp_path):
    path = write(tmp_path / "result.json", json.dumps(old_export()).encode())
    imported(campaign_a, path)
    capture = imported(campaign_a, path, options={"timezone": "Europe/Berlin"})
    assert Item.objects.get(remote_id="-1001234567890:2").created_at.isoformat() == (
        "2020-05-28T10:15:00+00:00"
    )
    assert capture.report["times_corrected"] == {"count": 2, "timezone": "Europe/Berlin"}
    assert any("happened twice" in note for note in capture.notes)


def test_a_photo_left_out_of_the_export_is_not_a_media_address(campaign_a, tmp_path):
    message = telegram_message(
        5,
        "Photo from the court",
        photo="(File not included. Change data exporting settings to download.)",
        width=1280,
        height=960,
    )
    path = write(tmp_path / "result.json", json.dumps(telegram_export([message])).encode())
    imported(campaign_a, path)
    media = ItemMedia.objects.get()
    assert (media.kind, media.url, media.blob) == ("image", "", None)
    assert Item.objects.get().has_media
