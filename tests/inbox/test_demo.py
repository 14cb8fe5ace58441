"""The demo's inbox: an organiser finds replies, a mention, a direct message and a threat,
assigns one and answers it."""

import pytest

from houseboat import demo
from houseboat.core.models import Membership
from houseboat.inbox import services
from houseboat.inbox.constants import EntryKind
from houseboat.inbox.models import InboxEntry
from houseboat.publishing.constants import PostStatus
from houseboat.publishing.dispatch import outgoing
from houseboat.publishing.models import Delivery
from houseboat.safety.models import Alert


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "archive"
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.seed()
    return InboxEntry.objects.select_related("item", "channel", "campaign")


def test_the_demo_inbox_holds_replies_a_mention_a_direct_message_and_a_threat(seeded):
    kinds = sorted(entry.kind for entry in seeded)
    assert kinds.count(EntryKind.REPLY) >= 2
    assert EntryKind.MENTION in kinds and EntryKind.DIRECT in kinds
    flagged = {(a.network, a.remote_id) for a in Alert.objects.all()}
    threats = [e for e in seeded if (e.network, e.item.remote_id) in flagged]
    assert len(threats) == 1
    assert threats[0].assignee.username == "amina"
    assert list(threats[0].tags.values_list("tag", flat=True)) == ["safety"]
    answered = seeded.get(item__remote_id="98001")
    assert answered.answers_delivery is not None  # threaded under the team's sent post


def test_an_organiser_assigns_a_demo_entry_and_answers_it_through_the_dispatcher(seeded):
    daniel = Membership.objects.get(user__username="daniel")  # the demo's editor
    entry = seeded.get(item__remote_id="98001")
    services.assign(daniel, entry, daniel.user)
    post = services.reply(
        daniel, entry, text="Write to the Courier, 14 Quay Street: we pass it on."
    )

    assert post.status == PostStatus.SCHEDULED
    delivery = Delivery.objects.get(variant__post=post)
    assert delivery.variant.channel.network == "mastodon"
    assert outgoing(delivery).reply_to.remote_id == "98001"
