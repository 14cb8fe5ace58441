"""A ZIP is judged whole: many small entries that together unpack to far more than it."""

import zipfile

import pytest

from houseboat.listening.importers.base import UnsafeFile
from houseboat.listening.imports import run_import
from houseboat.listening.models import Item
from tests.listening.samples import facebook_files, zip_files

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def many_small_entries(path, count: int = 200):
    """Entries of 1 MiB of zeros each (never ratio-checked alone), with a real export."""
    zip_files(path, facebook_files())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(count):
            archive.writestr(f"posts/media/filler_{number}.bin", bytes(MiB))
    return path


def test_many_small_entries_that_unpack_to_far_more_than_the_zip_are_refused(campaign_a, tmp_path):
    path = many_small_entries(tmp_path / "facebook.zip")
    assert path.stat().st_size < 2 * MiB
    with pytest.raises(UnsafeFile, match=r"decompression bomb.*files unpack from"):
        run_import(campaign=campaign_a, format="facebook-dyi", path=path, keep_going=True)
    assert not Item.objects.exists()


def test_an_ordinary_export_of_json_and_pictures_is_not_called_a_bomb(campaign_a, tmp_path):
    path = zip_files(tmp_path / "facebook.zip", facebook_files())
    capture = run_import(campaign=campaign_a, format="facebook-dyi", path=path)
    assert capture.items_new > 0
