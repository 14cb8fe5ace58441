import pytest

from houseboat.listening.importers.base import Limits, MiB


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    """Each test keeps its media files in a folder of its own."""
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path / "archive"


@pytest.fixture
def small_limits() -> Limits:
    """Limits small enough that tests can build files that cross them."""
    return Limits(
        max_record_bytes=64 * 1024,
        max_uncompressed_bytes=8 * MiB,
        max_ratio=100,
        ratio_floor=256 * 1024,
        max_entries=50,
    )
