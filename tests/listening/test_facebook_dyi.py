"""Facebook "Download your information": both layouts, ZIP or folder, mojibake repaired."""

import json
import zipfile

import pytest

from houseboat.listening.constants import CaptureState
from houseboat.listening.importers.base import ImportFileError, UnsafeFile
from houseboat.listening.importers.facebook_dyi import repair
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, Item, ItemMedia
from tests.listening.samples import (
    FB_ARABIC,
    FB_EMOJI,
    FB_OWNER,
    FB_SPANISH,
    PHOTO,
    facebook_files,
    fb_json,
    fb_post,
    unpack,
    write,
    zip_files,
)

pytestmark = pytest.mark.django_db


def imported(campaign, path, **kwargs):
    return run_import(campaign=campaign, format="facebook-dyi", path=path, **kwargs)


def test_mojibake_is_repaired_and_proper_text_left_alone():
    assert repair("Ã©") == "é"
    assert repair("الحرية".encode().decode("latin-1")) == "الحرية"
    assert repair("🕊️".encode().decode("latin-1")) == "🕊️"
    assert repair("café") == "café"  # real Latin-1 text is no mojibake: kept
    assert repair("الحرية") == "الحرية"


def test_a_page_export_zip_is_imported_with_its_text_repaired(campaign_a, tmp_path):
    capture = imported(campaign_a, zip_files(tmp_path / "facebook-ctl.zip", facebook_files()))
    assert (capture.state, capture.items_new, capture.media_stored) == (CaptureState.DONE, 7, 1)
    texts = set(Item.objects.values_list("text", flat=True))
    assert {FB_ARABIC, FB_SPANISH, FB_EMOJI, "Estaré allí 🙌"} <= texts
    arabic = Item.objects.get(text=FB_ARABIC)
    assert arabic.network == "facebook"
    assert arabic.created_at.isoformat() == "2024-05-28T10:15:00+00:00"
    assert arabic.hashtags == ["FreeTheTen"]
    assert arabic.author.display_name == FB_OWNER
    assert arabic.language == "ar"
    photo = ItemMedia.objects.get(item=arabic)
    assert (photo.kind, photo.alt, photo.blob.path.read_bytes()) == (
        "image",
        "Ten portraits",
        PHOTO,
    )
    assert Item.objects.get(text=FB_SPANISH).links == ["https://example.org/vigilia"]
    comment = Item.objects.get(text="Estaré allí 🙌")
    assert comment.author.handle == "Ana Pérez"
    assert comment.remote_id.startswith("dyi-group-comment-1716905700-")


def test_the_raw_payload_keeps_the_entry_as_facebook_wrote_it(campaign_a, tmp_path):
    imported(campaign_a, zip_files(tmp_path / "fb.zip", facebook_files()))
    raw = Item.objects.get(text=FB_ARABIC).raw_payload()
    assert raw["file"] == "posts/your_posts_1.json"
    assert raw["entry"]["data"][0]["post"] == FB_ARABIC.encode("utf-8").decode("latin-1")


def test_the_unpacked_folder_gives_the_same_items_as_the_zip(campaign_a, team_a, tmp_path):
    from houseboat.campaigns.models import Campaign

    files = facebook_files("facebook-ctl-2024/")
    imported(campaign_a, zip_files(tmp_path / "fb.zip", files))
    other = Campaign.objects.create(team=team_a, name="Other", slug="other")
    imported(other, unpack(files, tmp_path / "unzipped"))
    rows = {
        c: set(Item.objects.filter(campaign=c).values_list("remote_id", "raw_sha256"))
        for c in (campaign_a, other)
    }
    assert rows[campaign_a] == rows[other]
    assert ItemMedia.objects.filter(item__campaign=other, blob__isnull=False).count() == 1


def test_the_newer_layout_is_read_too(campaign_a, tmp_path):
    capture = imported(campaign_a, zip_files(tmp_path / "fb.zip", facebook_files(newer=True)))
    assert (capture.items_new, capture.media_stored) == (7, 1)
    assert Item.objects.get(text=FB_ARABIC).raw_payload()["file"].startswith("posts/your_posts__")


def test_posts_are_read_part_by_part_and_posts_before_comments(campaign_a, tmp_path):
    imported(campaign_a, zip_files(tmp_path / "fb.zip", facebook_files()))
    kinds = [i.raw_payload()["kind"] for i in Item.objects.order_by("id")]
    assert kinds == ["post"] * 4 + ["group-post", "comment", "group-comment"]
    assert Item.objects.order_by("id")[3].text == "An older post."


def test_reimporting_the_export_adds_nothing(campaign_a, tmp_path):
    path = zip_files(tmp_path / "fb.zip", facebook_files())
    imported(campaign_a, path)
    again = imported(campaign_a, path)
    assert (again.items_new, again.items_known) == (0, 7)


# --- bad files ----------------------------------------------------------------------------


def assert_refused(campaign, path, match, error=ImportFileError, **kwargs):
    with pytest.raises(error, match=match):
        imported(campaign, path, **kwargs)
    assert Item.objects.count() == 0
    assert Capture.objects.exclude(state=CaptureState.FAILED).count() == 0


def test_an_empty_file_is_refused(campaign_a, tmp_path):
    assert_refused(campaign_a, write(tmp_path / "fb.zip", b""), "fb.zip is empty")


def test_a_lone_file_that_is_not_json_is_refused(campaign_a, tmp_path):
    path = write(tmp_path / "your_posts_1.json", b"<html>not json</html>")
    assert_refused(campaign_a, path, "is not JSON")


def test_a_zip_of_something_else_is_refused_as_the_wrong_format(campaign_a, tmp_path):
    path = zip_files(tmp_path / "x.zip", {"data/tweets.js": "window.YTD.tweets.part0 = []"})
    assert_refused(campaign_a, path, "holds no Facebook posts or comments")


def test_the_html_export_is_refused_with_how_to_get_json(campaign_a, tmp_path):
    path = zip_files(tmp_path / "fb.zip", {"posts/your_posts_1.html": "<html></html>"})
    assert_refused(campaign_a, path, "HTML version.*choose the format JSON")


def test_a_cut_off_posts_file_imports_nothing(campaign_a, tmp_path):
    files = facebook_files()
    files["posts/your_posts_1.json"] = files["posts/your_posts_1.json"][:-40]
    assert_refused(campaign_a, zip_files(tmp_path / "fb.zip", files), "seems cut off")


def test_an_entry_without_a_time_imports_nothing_unless_keep_going(campaign_a, tmp_path):
    files = facebook_files()
    files["posts/your_posts_2.json"] = fb_json([fb_post(1700000000, "ok"), {"data": []}])
    path = zip_files(tmp_path / "fb.zip", files)
    assert_refused(campaign_a, path, r"your_posts_2\.json, entry 2: the entry cannot be read")
    capture = imported(campaign_a, path, keep_going=True)
    assert (capture.items_new, capture.records_skipped) == (7, 1)


def test_an_entry_too_large_is_refused_with_the_limit_named(campaign_a, tmp_path, small_limits):
    files = facebook_files()
    files["posts/your_posts_2.json"] = fb_json([fb_post(1700000000, "y" * 100_000)])
    path = zip_files(tmp_path / "fb.zip", files)
    assert_refused(campaign_a, path, "larger than 0 MB", limits=small_limits)


def test_a_zip_with_a_path_traversal_entry_is_refused(campaign_a, tmp_path):
    path = zip_files(tmp_path / "fb.zip", facebook_files())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../evil.json", "[]")
    assert_refused(campaign_a, path, "unsafe path", UnsafeFile)


def test_a_decompression_bomb_is_refused(campaign_a, tmp_path, small_limits):
    files = facebook_files()
    files["posts/media/bomb.jpg"] = b"\0" * (2 * 1024 * 1024)
    path = zip_files(tmp_path / "fb.zip", files)
    assert_refused(campaign_a, path, "decompression bomb", UnsafeFile, limits=small_limits)


def test_a_media_path_outside_the_export_is_never_read(campaign_a, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not for the archive")
    files = facebook_files()
    files["posts/your_posts_2.json"] = fb_json(
        [fb_post(1700000000, "look", attachments=[{"data": [{"media": {"uri": "../secret.jpg"}}]}])]
    )
    imported(campaign_a, unpack(files, tmp_path / "export"))
    media = ItemMedia.objects.get(item__text="look")
    assert (media.url, media.blob) == ("../secret.jpg", None)


def test_an_object_file_without_its_list_is_refused(campaign_a, tmp_path):
    files = facebook_files()
    files["groups/your_posts_in_groups.json"] = json.dumps({"something_else": []}).encode()
    assert_refused(campaign_a, zip_files(tmp_path / "fb.zip", files), "does not hold a list")
