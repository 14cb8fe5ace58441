"""The demo's action: the vigil's response page shows a before and an after."""

import pytest

from houseboat import demo
from houseboat.campaigns.models import Campaign
from houseboat.core.models import User
from houseboat.listening import actions
from houseboat.listening.actions_demo import LIVESTREAM
from houseboat.listening.models import DatedEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "archive"
    demo.seed()
    return Campaign.objects.get(slug="free-the-riverside-ten")


def test_the_demo_vigil_has_a_quiet_before_and_a_wave_after(seeded):
    vigil = DatedEvent.objects.get(campaign=seeded)
    r = actions.response(seeded, actions.event_action(vigil))
    assert r.volume["after"] > 5 * r.volume["before"] > 0
    assert r.new_accounts["after"] > r.new_accounts["before"]
    assert "courtvigil" in [rise.key for rise in r.hashtags]
    assert LIVESTREAM in [rise.key for rise in r.links]
    # The team's "Day 60" post went out during the vigil, its counts read back.
    assert any(p.replies and p.reposts for p in r.own_posts)


def test_the_demo_ranks_the_vigil_and_its_post_above_quiet_actions(seeded):
    ranked = actions.ranked(seeded, actions.all_actions(seeded), actions.DEFAULT_HOURS)
    assert ranked[0].score > 1
    assert {"event", "post"} <= {row.action.ref.split("-")[0] for row in ranked}


def test_the_vigils_response_page_opens_for_the_demo_owner(seeded):
    vigil = DatedEvent.objects.get(campaign=seeded)
    owner = User.objects.get(username=demo.OWNER)
    response = client_for(owner).get(
        f"/t/{seeded.team.slug}/archive/actions/event-{vigil.pk}/", {"campaign": seeded.slug}
    )
    assert response.status_code == 200
    assert "#courtvigil" in response.content.decode()
