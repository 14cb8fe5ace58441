"""Pictures cannot exhaust the server: a pixel bound, a few image jobs at once, and the
cleaning done before the transaction that records an attachment (issue 13)."""

import resource
import struct
import zlib
from pathlib import Path

import pytest
from django.db import connection

from houseboat.core.constants import Role
from houseboat.core.models import Membership
from houseboat.publishing import services
from houseboat.publishing.models import Post
from houseboat.safety import media, regions, risk

ROOT = Path(__file__).resolve().parents[2]


def chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(path: Path, side: int = 9400) -> Path:
    """A PNG of side x side grey pixels, all zero: a few hundred kilobytes on disk."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    squeezer = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter byte, then the pixels
    data = b"".join(squeezer.compress(row) for _ in range(side)) + squeezer.flush()
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_decompression_bomb_is_refused_with_a_clear_message_before_it_is_decoded(tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 1_000_000
    before = peak_memory_mb()

    with pytest.raises(media.TooLargeMediaError) as refused:
        media.clean_image(bomb, tmp_path / "out.png")
    with pytest.raises(media.TooLargeMediaError):
        media.find_faces(bomb)
    risks = risk.review_media(bomb)

    assert "bomb.png has 9400 x 9400 pixels" in str(refused.value)
    assert "up to 50 megapixels" in str(refused.value)
    assert "up to 50 megapixels" in risks[0].message
    # 88 million pixels decoded would take hundreds of megabytes at once.
    assert peak_memory_mb() - before < 200
    assert not (tmp_path / "out.png").exists()


def test_a_phone_sized_picture_is_still_cleaned(tmp_path):
    from PIL import Image

    Image.new("RGB", (4032, 3024), "teal").save(tmp_path / "phone.jpg")
    report = media.clean_image(tmp_path / "phone.jpg", tmp_path / "out.jpg")
    assert report.path.exists()


def test_when_every_image_slot_is_busy_a_picture_is_refused_with_a_message(tmp_path, monkeypatch):
    from PIL import Image

    Image.new("RGB", (64, 48), "teal").save(tmp_path / "small.jpg")
    monkeypatch.setattr(media, "IMAGE_JOB_WAIT_S", 0)
    for _ in range(media.IMAGE_JOBS):
        assert media.IMAGE_JOB_SLOTS.acquire(timeout=1)
    try:
        with pytest.raises(media.BusyMediaError, match="other pictures"):
            media.clean_image(tmp_path / "small.jpg", tmp_path / "out.jpg")
    finally:
        for _ in range(media.IMAGE_JOBS):
            media.IMAGE_JOB_SLOTS.release()
    assert media.clean_image(tmp_path / "small.jpg", tmp_path / "out.jpg").path.exists()


@pytest.mark.django_db(transaction=True)
def test_attaching_a_picture_cleans_it_before_the_transaction_that_records_it(
    tmp_path, monkeypatch, settings, campaign_a, bob
):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    membership = Membership.objects.get(team=campaign_a.team, user=bob, role=Role.EDITOR)
    post = services.create_post(membership=membership, campaign=campaign_a, text="Vigil")
    Image.new("RGB", (64, 48), "teal").save(tmp_path / "photo.jpg")
    in_transaction = []
    for module, name in ((media, "clean_image"), (regions, "store_source")):
        real = getattr(module, name)

        def spy(*args, real=real, name=name, **kwargs):
            # On SQLite a transaction takes the write lock at BEGIN (IMMEDIATE): cleaning
            # inside one made every other writer wait.
            in_transaction.append((name, connection.in_atomic_block))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    attachment = services.add_attachment(membership, post, tmp_path / "photo.jpg")

    assert attachment.pk and Post.objects.get().attachments.count() == 1
    assert ("clean_image", False) in in_transaction
    assert all(inside is False for _name, inside in in_transaction), in_transaction
