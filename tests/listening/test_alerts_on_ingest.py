"""The last step of ingest: what arrives is checked for threats, once, whatever its source."""

from datetime import UTC, datetime

import pytest

from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening.imports import capture_live
from houseboat.safety.models import Alert

pytestmark = pytest.mark.django_db

TROLL = RemoteAuthor("666", "anon_troll", "")


def remote(remote_id: str, text: str, language: str = "en") -> RemoteItem:
    return RemoteItem(
        network="x",
        remote_id=remote_id,
        text=text,
        created_at=datetime(2026, 11, 20, 10, 5, tzinfo=UTC),
        author=TROLL,
        language=language,
        raw={"id": remote_id, "text": text},
    )


def test_a_threat_read_live_raises_one_alert_and_an_ordinary_post_none(campaign_a):
    items = [
        remote("1", "We know where you live. Stop your campaign."),
        remote("2", "The trial of the Ten resumes on Monday at 9:00."),
        remote("3", "سنقتلك إذا لم تتوقف", language="ar"),
    ]
    capture_live(campaign=campaign_a, items=items, network="x", source="test")
    assert set(Alert.objects.values_list("remote_id", flat=True)) == {"1", "3"}
    assert all(alert.team == campaign_a.team for alert in Alert.objects.all())


def test_reading_the_same_threat_again_raises_no_second_alert(campaign_a):
    threat = remote("1", "We know where you live.")
    capture_live(campaign=campaign_a, items=[threat], network="x", source="test")
    capture_live(campaign=campaign_a, items=[threat], network="x", source="test")
    assert Alert.objects.count() == 1
