import pytest

from houseboat.accountability.demo import archive_evidence
from houseboat.accountability.models import Demand
from houseboat.accountability.services import create_demand


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    """Each test keeps its archive media in a folder of its own."""
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path / "archive"


@pytest.fixture
def items(campaign_a, alice):
    """The demo's authorities' and press posts, imported into team A's archive."""
    return archive_evidence(campaign_a, alice)


@pytest.fixture
def demand(campaign_a, alice) -> Demand:
    return create_demand(
        campaign_a,
        title="Lawyers for all ten within a week",
        ref="RT-2",
        by=alice,
        targets=["Ministry of Justice"],
        draft=False,
        visibility="public",
    )
