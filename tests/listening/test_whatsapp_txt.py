"""WhatsApp chat exports: iPhone and Android lines, locale dates, media, private names."""

import io
import zipfile

import pytest
from django.core.management import call_command

from houseboat.listening.constants import CaptureState
from houseboat.listening.importers.base import ImportFileError, UnsafeFile
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, Item, ItemMedia
from tests.listening.samples import (
    LRM,
    NNBSP,
    PHOTO,
    WHATSAPP_ANDROID,
    WHATSAPP_IOS,
    WHATSAPP_US,
    ndjson,
    three_tweet_page,
    write,
    zip_files,
)

pytestmark = pytest.mark.django_db


def imported(campaign, path, **kwargs):
    return run_import(campaign=campaign, format="whatsapp-txt", path=path, **kwargs)


def chat(tmp_path, text: str, name: str = "_chat.txt"):
    return write(tmp_path / name, text.encode("utf-8"))


def times() -> list[str]:
    return [i.created_at.isoformat() for i in Item.objects.order_by("id")]


def test_an_iphone_chat_is_read_with_multi_line_messages_and_attachments(campaign_a, tmp_path):
    capture = imported(campaign_a, chat(tmp_path, WHATSAPP_IOS))
    # The group's encryption notice is a system line, not a post by "Free the Ten".
    assert (capture.state, capture.items_new) == (CaptureState.DONE, 4)
    first = Item.objects.get(text__startswith="Hola")
    assert (
        first.text
        == "Hola a todos, la vigilia es el viernes\na las 18h frente al Courier.\nTraed velas."
    )
    assert first.created_at.isoformat() == "2026-11-24T21:05:33+00:00"
    assert (first.network, first.author.handle) == ("whatsapp", "Ana Pérez")
    photo = ItemMedia.objects.get(item__author__handle="Omar K")
    assert (photo.kind, photo.url, photo.blob) == (
        "image",
        "00000012-PHOTO-2026-11-24-21-06-02.jpg",
        None,
    )
    assert Item.objects.get(text__startswith="الحرية").hashtags == ["FreeTheTen"]
    omitted = Item.objects.get(author__handle="+44 7700 900123")
    assert (omitted.text, omitted.has_media) == ("", True)


def test_an_android_chat_leaves_out_system_lines_and_tells_identical_messages_apart(
    campaign_a, tmp_path
):
    capture = imported(
        campaign_a, chat(tmp_path, WHATSAPP_ANDROID, "WhatsApp Chat with Free the Ten.txt")
    )
    assert capture.items_new == 5
    assert not Item.objects.filter(text__contains="end-to-end").exists()
    assert Item.objects.filter(text="ok").count() == 2
    attached = Item.objects.get(text="Their faces, outside the court")
    assert ItemMedia.objects.get(item=attached).url == "IMG-20261124-WA0001.jpg"
    assert times()[0] == "2026-11-24T21:05:00+00:00"


def test_a_us_phone_uses_month_first_and_a_12_hour_clock(campaign_a, tmp_path):
    imported(campaign_a, chat(tmp_path, WHATSAPP_US))
    assert times() == [
        "2026-11-24T21:05:00+00:00",
        "2026-11-24T00:15:00+00:00",
        "2026-11-25T12:30:00+00:00",
    ]


def test_the_date_order_comes_from_the_whole_file_not_line_by_line(campaign_a, tmp_path):
    text = "01/02/2026, 10:00 - Ana: first\n05/03/2026, 10:00 - Ana: second\n13/03/2026, 10:00 - Ana: third\n"
    imported(campaign_a, chat(tmp_path, text))
    assert [t[:10] for t in times()] == ["2026-02-01", "2026-03-05", "2026-03-13"]


def test_ambiguous_dates_ask_for_the_date_order(campaign_a, tmp_path):
    path = chat(tmp_path, "01/02/2026, 10:00 - Ana: first\n05/03/2026, 10:00 - Ana: second\n")
    with pytest.raises(ImportFileError, match=r"--date-order dmy.*--date-order mdy"):
        imported(campaign_a, path)
    assert Item.objects.count() == 0
    capture = imported(campaign_a, path, options={"date_order": "mdy"})
    assert [t[:10] for t in times()] == ["2026-01-02", "2026-05-03"]
    assert any("read as mdy because --date-order said so" in n for n in capture.notes)


def test_dates_written_with_dots_are_day_first_and_the_import_says_so(campaign_a, tmp_path):
    capture = imported(campaign_a, chat(tmp_path, "[01.02.26, 10:00:00] Ana: hallo\n"))
    assert times() == ["2026-02-01T10:00:00+00:00"]
    assert any("day.month.year" in note for note in capture.notes)


def test_a_date_order_the_file_contradicts_is_refused(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 10:00 - Ana: hola\n")
    with pytest.raises(ImportFileError, match="writes its dates dmy"):
        imported(campaign_a, path, options={"date_order": "mdy"})


def test_a_file_mixing_day_first_and_month_first_is_refused(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 10:00 - Ana: a\n11/24/2026, 10:00 - Ana: b\n")
    with pytest.raises(ImportFileError, match="mixes two formats"):
        imported(campaign_a, path)


def test_the_phones_time_zone_moves_the_times_to_utc_and_utc_is_said(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 21:05 - Ana: hola\n")
    capture = imported(campaign_a, path)
    assert any("read as UTC" in note for note in capture.notes)
    Item.objects.all().delete()
    Capture.objects.all().delete()
    imported(campaign_a, path, options={"timezone": "America/Bogota"})
    assert times() == ["2026-11-25T02:05:00+00:00"]


def test_an_unknown_time_zone_or_option_is_refused(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 21:05 - Ana: hola\n")
    with pytest.raises(ImportFileError, match="not a time zone"):
        imported(campaign_a, path, options={"timezone": "Mars/Olympus"})
    with pytest.raises(ImportFileError, match="takes no --date-order"):
        run_import(
            campaign=campaign_a,
            format="x-ndjson",
            path=path,
            options={"date_order": "dmy"},
        )


def test_a_zip_with_media_stores_the_attached_files(campaign_a, tmp_path):
    path = zip_files(
        tmp_path / "WhatsApp Chat - Free the Ten.zip",
        {"_chat.txt": WHATSAPP_IOS, "00000012-PHOTO-2026-11-24-21-06-02.jpg": PHOTO},
    )
    capture = imported(campaign_a, path)
    assert capture.media_stored == 1
    assert ItemMedia.objects.get(blob__isnull=False).blob.path.read_bytes() == PHOTO


def test_reimporting_the_chat_adds_nothing(campaign_a, tmp_path):
    path = chat(tmp_path, WHATSAPP_ANDROID)
    imported(campaign_a, path)
    again = imported(campaign_a, path)
    assert (again.items_new, again.items_known) == (0, 5)


def test_invisible_marks_and_odd_spaces_do_not_break_a_line(campaign_a, tmp_path):
    text = f"{LRM}[24/11/2026, 9:05:33{NNBSP}PM] {LRM}Ana: {LRM}hola\n"
    imported(campaign_a, chat(tmp_path, text))
    item = Item.objects.get()
    assert (item.author.handle, item.created_at.hour) == ("Ana", 21)


# --- bad files, and the privacy of participants -------------------------------------------


def assert_refused(campaign, path, match, error=ImportFileError, **kwargs):
    with pytest.raises(error, match=match) as caught:
        imported(campaign, path, **kwargs)
    assert Item.objects.count() == 0
    assert Capture.objects.exclude(state=CaptureState.FAILED).count() == 0
    return str(caught.value)


def test_an_empty_file_is_refused(campaign_a, tmp_path):
    assert_refused(campaign_a, chat(tmp_path, ""), "_chat.txt is empty")


def test_another_format_is_refused_as_not_a_chat(campaign_a, tmp_path):
    path = write(tmp_path / "posts.jsonl", ndjson(three_tweet_page()))
    assert_refused(campaign_a, path, "does not look like a WhatsApp chat export: line 1")


def test_a_file_that_is_not_text_is_refused(campaign_a, tmp_path):
    assert_refused(campaign_a, write(tmp_path / "_chat.txt", b"\xff\xfe\x00\x01" * 10), "not UTF-8")


def test_a_damaged_line_names_where_it_is_but_never_who_wrote_it(campaign_a, tmp_path):
    path = chat(tmp_path, "24/11/2026, 21:05 - Ana Pérez: hola\n31/02/2026, 21:06 - Ana Pérez: x\n")
    message = assert_refused(campaign_a, path, "line 2: the date or time cannot be read")
    assert "Ana" not in message
    capture = imported(campaign_a, path, keep_going=True)
    assert (capture.items_new, capture.records_skipped) == (1, 1)


def test_a_huge_line_is_refused_unless_keep_going(campaign_a, tmp_path, small_limits):
    text = "24/11/2026, 21:05 - Ana: hola\n24/11/2026, 21:06 - Ana: " + "y" * 100_000 + "\n"
    path = chat(tmp_path, text)
    message = assert_refused(
        campaign_a, path, "line 2: the line is longer than", limits=small_limits
    )
    assert "Ana" not in message
    capture = imported(campaign_a, path, keep_going=True, limits=small_limits)
    assert capture.items_new == 1


def test_a_zip_without_a_chat_is_refused(campaign_a, tmp_path):
    path = zip_files(tmp_path / "chat.zip", {"photo.jpg": PHOTO})
    assert_refused(campaign_a, path, "holds no WhatsApp chat")


def test_a_zip_with_a_path_traversal_entry_is_refused(campaign_a, tmp_path):
    path = zip_files(tmp_path / "chat.zip", {"_chat.txt": WHATSAPP_IOS})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../00000012-PHOTO-2026-11-24-21-06-02.jpg", PHOTO)
    assert_refused(campaign_a, path, "unsafe path", UnsafeFile)


def test_a_decompression_bomb_is_refused(campaign_a, tmp_path, small_limits):
    path = zip_files(
        tmp_path / "chat.zip", {"_chat.txt": WHATSAPP_IOS, "big.jpg": b"\0" * (2 << 20)}
    )
    assert_refused(campaign_a, path, "decompression bomb", UnsafeFile, limits=small_limits)


def test_the_command_takes_the_date_order_and_prints_its_notes(campaign_a, tmp_path):
    path = chat(tmp_path, "01/02/2026, 10:00 - Ana: first\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import",
        "whatsapp-txt",
        str(path),
        "--campaign",
        "free-the-ten",
        "--date-order",
        "dmy",
        "--timezone",
        "Africa/Cairo",
        stdout=out,
        stderr=err,
    )
    assert "Imported 1 new items" in out.getvalue()
    assert "Note: No day in _chat.txt is past the 12th" in err.getvalue()
    assert "Ana" not in out.getvalue() + err.getvalue()
    assert times() == ["2026-02-01T08:00:00+00:00"]
