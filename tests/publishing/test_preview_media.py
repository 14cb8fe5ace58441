"""The composer says, before anything is sent, where pictures cannot go."""

import io

from PIL import Image

from houseboat.connectors.base import MediaFile
from houseboat.publishing.preview import Target, check_target


def picture(tmp_path) -> MediaFile:
    path = tmp_path / "vigil.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return MediaFile(path, "image/png", alt="Candles")


def test_a_channel_that_cannot_carry_pictures_says_it_gets_the_text_only(tmp_path, db):
    target = Target(key="whatsapp-1", label="WhatsApp — supporters", network="whatsapp")
    check = check_target(
        target, ["Vigil tonight"], link="", campaign=None, media=[picture(tmp_path)]
    )
    assert check.notes == [
        "WhatsApp — supporters cannot carry pictures or video: it gets the text only."
    ]


def test_the_own_site_carries_pictures_and_says_nothing_about_them(tmp_path, db):
    target = Target(key="own", label="Own site", network="own_site", config={"campaign_id": 1})
    check = check_target(
        target, ["Vigil tonight"], link="", campaign=None, media=[picture(tmp_path)]
    )
    assert check.notes == [] and check.ready


def test_without_pictures_no_channel_mentions_them(db):
    target = Target(key="whatsapp-1", label="WhatsApp", network="whatsapp")
    assert check_target(target, ["Vigil tonight"], link="", campaign=None).notes == []
