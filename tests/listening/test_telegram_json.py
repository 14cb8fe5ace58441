"""A Telegram Desktop export: result.json with text in both shapes, media from its folder."""

import json
import os

import pytest

from houseboat.listening.constants import CaptureState
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, Item, ItemMedia
from tests.listening.samples import (
    PHOTO,
    standard_telegram,
    telegram_export,
    telegram_message,
    write,
)

pytestmark = pytest.mark.django_db


def export_folder(tmp_path, export=None):
    folder = tmp_path / "ChatExport_2024-06-01"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "photo_1@28-05-2024_12-15-00.jpg").write_bytes(PHOTO)
    return write(
        folder / "result.json", json.dumps(export or standard_telegram(), indent=1).encode()
    )


def test_a_channel_export_is_imported_with_bot_api_ids(campaign_a, tmp_path):
    capture = run_import(campaign=campaign_a, format="telegram-json", path=export_folder(tmp_path))
    assert (capture.state, capture.items_new) == (
        CaptureState.DONE,
        3,
    )  # the service message is left out
    first = Item.objects.get(remote_id="-1001234567890:2")
    assert first.text == "Day 100 of detention."
    assert first.created_at.isoformat() == "2024-05-28T10:15:00+00:00"
    assert first.url == "https://t.me/c/1234567890/2"
    assert first.author.remote_id == "-1001234567890"
    assert first.author.display_name == "Free the Ten"


def test_text_given_as_a_list_of_entities_is_joined_and_its_entities_kept(campaign_a, tmp_path):
    run_import(campaign=campaign_a, format="telegram-json", path=export_folder(tmp_path))
    item = Item.objects.get(remote_id="-1001234567890:3")
    assert item.text == "Read the report #FreeTheTen cc @harbourpress"
    assert item.hashtags == ["FreeTheTen"]
    assert item.mentions == ["harbourpress"]
    assert item.links == ["https://example.org/report"]
    assert item.reply_to_id == "-1001234567890:2"
    assert item.metrics == {"likes": 7}


def test_exported_pictures_are_stored_and_missing_files_only_linked(campaign_a, tmp_path):
    run_import(campaign=campaign_a, format="telegram-json", path=export_folder(tmp_path))
    photo = ItemMedia.objects.get(item__remote_id="-1001234567890:3")
    assert photo.blob.path.read_bytes() == PHOTO
    video = ItemMedia.objects.get(item__remote_id="-1001234567890:4")
    assert (video.kind, video.blob) == ("video", None)


def test_a_media_path_outside_the_export_folder_is_never_read(campaign_a, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the archive")
    export = telegram_export([telegram_message(2, "look", photo="../secret.txt")])
    folder = export_folder(tmp_path, export).parent
    os.symlink(secret, folder / "photos" / "link.jpg")
    export["messages"].append(telegram_message(3, "link", photo="photos/link.jpg"))
    (folder / "result.json").write_text(json.dumps(export))
    run_import(campaign=campaign_a, format="telegram-json", path=folder / "result.json")
    assert ItemMedia.objects.count() == 2
    assert not ItemMedia.objects.filter(blob__isnull=False).exists()


def test_reimporting_the_export_adds_nothing(campaign_a, tmp_path):
    path = export_folder(tmp_path)
    run_import(campaign=campaign_a, format="telegram-json", path=path)
    again = run_import(campaign=campaign_a, format="telegram-json", path=path)
    assert (again.items_new, again.items_known) == (0, 3)


def assert_refused(campaign, path, match):
    with pytest.raises(ImportFileError, match=match):
        run_import(campaign=campaign, format="telegram-json", path=path)
    assert Item.objects.count() == 0
    assert Capture.objects.exclude(state=CaptureState.FAILED).count() == 0


def test_an_empty_result_json_is_refused(campaign_a, tmp_path):
    assert_refused(
        campaign_a, write(tmp_path / "result.json", b""), "is empty: expected the result.json"
    )


def test_the_html_export_is_refused_with_how_to_export_json(campaign_a, tmp_path):
    path = write(tmp_path / "messages.html", b"<!DOCTYPE html><html></html>")
    assert_refused(campaign_a, path, "Machine-readable JSON")


def test_a_whole_account_export_without_chats_has_no_messages(campaign_a, tmp_path):
    whole = {"about": "Here is the data you requested.", "chats": {"list": []}}
    assert_refused(
        campaign_a, write(tmp_path / "result.json", json.dumps(whole).encode()), "has no messages"
    )


def test_a_cut_off_export_imports_nothing(campaign_a, tmp_path):
    data = json.dumps(standard_telegram()).encode()
    assert_refused(campaign_a, write(tmp_path / "result.json", data[:-120]), "seems cut off")


def test_a_message_without_an_id_imports_nothing_unless_keep_going(campaign_a, tmp_path):
    broken = telegram_message(9, "no id")
    del broken["id"]
    export = standard_telegram()
    export["messages"].append(broken)
    path = export_folder(tmp_path, export)
    assert_refused(campaign_a, path, "message 5: the message cannot be read")
    capture = run_import(campaign=campaign_a, format="telegram-json", path=path, keep_going=True)
    assert (capture.items_new, capture.records_skipped) == (3, 1)
