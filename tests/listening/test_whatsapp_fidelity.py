"""WhatsApp exports as phones really write them: system lines, cut files, time zones."""

import json

import pytest

from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.models import CustodyRecord, HourlyCount, Item
from tests.listening.samples import LRM, NNBSP, write

pytestmark = pytest.mark.django_db


def imported(campaign, path, **kwargs):
    return run_import(campaign=campaign, format="whatsapp-txt", path=path, **kwargs)


def chat(tmp_path, text: str, name: str = "_chat.txt"):
    return write(tmp_path / name, text.encode("utf-8"))


def posts() -> list[tuple[str, str]]:
    return [(i.author.handle, i.text) for i in Item.objects.order_by("created_at", "id")]


# An iPhone in Spain: the group's name sends the system lines, each text after U+200E.
IOS_SPANISH_GROUP = (
    f"[3/12/26, 9:14:02] Liberad a los Diez: {LRM}Los mensajes y las llamadas están cifrados "
    "de extremo a extremo. Solo las personas en este chat pueden leerlos, escucharlos o "
    "compartirlos.\n"
    f"[3/12/26, 9:14:02] Liberad a los Diez: {LRM}Ana creó el grupo “Liberad a los Diez”\n"
    f"[3/12/26, 9:15:40] Liberad a los Diez: {LRM}Ana te añadió\n"
    "[3/12/26, 9:16:11] Ana: Hola, la vigilia es mañana\n"
    f"{LRM}[3/12/26, 9:17:30] Omar: {LRM}imagen omitida\n"
)

# A business chat on an iPhone in the US, and one on an Android phone in Germany.
IOS_BUSINESS = (
    f"[12/3/26, 9:14:02{NNBSP}AM] Courier Press Office: {LRM}Messages and calls are end-to-end "
    "encrypted. Only people in this chat can read, listen to, or share them.\n"
    f"[12/3/26, 9:14:02{NNBSP}AM] Courier Press Office: {LRM}This business uses a secure "
    "service from Meta to manage this chat. Tap to learn more.\n"
    f"[12/3/26, 9:20:45{NNBSP}AM] Courier Press Office: We received your statement.\n"
    f"[12/3/26, 9:21:00{NNBSP}AM] Ana: Thank you\n"
)
ANDROID_GERMAN_BUSINESS = (
    "03.12.26, 09:14 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Nur Personen "
    "in diesem Chat können sie lesen, anhören oder teilen.\n"
    "03.12.26, 09:14 - Presse: Dieses Unternehmen nutzt einen sicheren Service von Meta, um "
    "diesen Chat zu verwalten. Tippe, um mehr zu erfahren.\n"
    "03.12.26, 09:20 - Presse: Wir haben Ihre Erklärung erhalten.\n"
)


def test_an_iphones_system_lines_sent_by_the_group_name_are_not_posts(campaign_a, tmp_path):
    capture = imported(campaign_a, chat(tmp_path, IOS_SPANISH_GROUP), options={"date_order": "dmy"})
    assert capture.items_new == 2
    assert posts() == [("Ana", "Hola, la vigilia es mañana"), ("Omar", "")]
    assert Item.objects.get(author__handle="Omar").has_media


def test_a_business_chats_notices_are_not_posts_but_its_messages_are(campaign_a, tmp_path):
    imported(campaign_a, chat(tmp_path, IOS_BUSINESS), options={"date_order": "mdy"})
    assert posts() == [
        ("Courier Press Office", "We received your statement."),
        ("Ana", "Thank you"),
    ]


def test_a_german_android_business_notice_with_a_sender_is_not_a_post(campaign_a, tmp_path):
    imported(campaign_a, chat(tmp_path, ANDROID_GERMAN_BUSINESS))
    assert posts() == [("Presse", "Wir haben Ihre Erklärung erhalten.")]


def test_a_message_with_an_empty_body_is_kept(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 21:05 - Ana:\n24/11/2026, 21:06 - Omar: \n")
    capture = imported(campaign_a, path)
    assert capture.items_new == 2
    assert posts() == [("Ana", ""), ("Omar", "")]


WHOLE = (
    "24/11/2026, 21:05 - Ana: Hola a todos\n"
    "24/11/2026, 21:07 - Omar: La vigilia es el viernes a las 18h #FreeTheTen\n"
    "frente al Courier.\n"
)


def test_a_cut_file_says_its_last_message_may_be_cut(campaign_a, tmp_path):
    capture = imported(campaign_a, chat(tmp_path, WHOLE[:90]))
    assert any("may be cut off" in note for note in capture.notes)
    cut = Item.objects.get(author__handle="Omar")
    assert cut.remote_id.startswith("wa-cut-")
    assert capture.report["notes"] == capture.notes


def test_the_whole_chat_imported_later_replaces_the_cut_fragment(campaign_a, tmp_path):
    imported(campaign_a, chat(tmp_path, WHOLE[:90], "cut.txt"))
    assert Item.objects.count() == 2
    capture = imported(campaign_a, chat(tmp_path, WHOLE, "whole.txt"))
    assert posts() == [
        ("Ana", "Hola a todos"),
        ("Omar", "La vigilia es el viernes a las 18h #FreeTheTen\nfrente al Courier."),
    ]
    omar = Item.objects.get(author__handle="Omar")
    assert not omar.remote_id.startswith("wa-cut-")
    assert omar.hashtags == ["FreeTheTen"]
    assert capture.report["fragments_replaced"] == 1
    again = imported(campaign_a, chat(tmp_path, WHOLE, "whole.txt"))
    assert (again.items_new, Item.objects.count()) == (0, 2)


def test_a_file_ending_with_a_line_break_says_nothing_about_cuts(campaign_a, tmp_path):
    capture = imported(campaign_a, chat(tmp_path, WHOLE))
    assert not any("cut off" in note for note in capture.notes)
    assert not Item.objects.filter(remote_id__startswith="wa-cut-").exists()


def test_importing_again_with_a_time_zone_corrects_the_stored_times(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 21:05 - Ana: hola #FreeTheTen\n")
    first = imported(campaign_a, path)
    assert any("read as UTC" in note for note in first.notes)
    assert Item.objects.get().created_at.isoformat() == "2026-11-24T21:05:00+00:00"
    second = imported(campaign_a, path, options={"timezone": "America/Bogota"})
    item = Item.objects.get()
    assert item.created_at.isoformat() == "2026-11-25T02:05:00+00:00"
    assert item.hashtag_rows.get().created_at == item.created_at
    counts = {
        (c.hour.isoformat(), c.hashtag): c.count
        for c in HourlyCount.objects.filter(campaign=campaign_a, count__gt=0)
    }
    assert counts == {
        ("2026-11-25T02:00:00+00:00", ""): 1,
        ("2026-11-25T02:00:00+00:00", "freetheten"): 1,
    }
    assert second.report["times_corrected"] == {"count": 1, "timezone": "America/Bogota"}
    statement = json.loads(CustodyRecord.objects.get(capture=second).statement)
    assert statement["report"]["times_corrected"]["count"] == 1


def test_a_time_the_clock_repeated_is_flagged_as_ambiguous(campaign_a, tmp_path):
    # Europe/Madrid went back from 03:00 to 02:00 on 25 October 2026: 02:30 happened twice.
    path = chat(tmp_path, "25/10/2026, 02:30 - Ana: hola\n26/10/2026, 10:00 - Ana: adiós\n")
    capture = imported(campaign_a, path, options={"timezone": "Europe/Madrid"})
    assert any("happened twice" in note for note in capture.notes)
    item = Item.objects.get(text="hola")
    assert item.created_at.isoformat() == "2026-10-25T00:30:00+00:00"
    assert json.loads(bytes_raw(item))["local_time"] == "ambiguous"
    assert "local_time" not in json.loads(bytes_raw(Item.objects.get(text="adiós")))


def test_a_time_the_clock_skipped_is_flagged(campaign_a, tmp_path):
    # Europe/Madrid jumped from 02:00 to 03:00 on 29 March 2026: 02:30 never happened.
    path = chat(tmp_path, "29/03/2026, 02:30 - Ana: hola\n")
    capture = imported(campaign_a, path, options={"timezone": "Europe/Madrid"})
    assert any("clock skipped" in note for note in capture.notes)
    assert json.loads(bytes_raw(Item.objects.get()))["local_time"] == "skipped"


def test_a_wrong_zone_is_still_refused(campaign_a, tmp_path):
    with pytest.raises(ImportFileError, match="not a time zone"):
        imported(campaign_a, chat(tmp_path, WHOLE), options={"timezone": "Atlantis/Capital"})


def bytes_raw(item: Item) -> str:
    import zlib

    return zlib.decompress(bytes(item.raw)).decode()
