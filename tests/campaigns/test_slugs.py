"""Campaign web addresses: unique within a team, and among public pages; another team's
private campaign is never revealed by "the web address is taken" (issue 13).

The choice: /c/<slug>/ is one address space for every public page, so a public
campaign's slug is unique across teams, and saying so reveals only what anyone can
already open. A private campaign's slug is unique within its team only, so no answer
depends on another team's private campaigns.
"""

import pytest
from django.core.management import CommandError, call_command

from houseboat.campaigns.models import Campaign
from tests.campaigns.test_campaigns import campaign_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_b(team_b):
    return Campaign.objects.create(team=team_b, name="Secret plan", slug="secret-plan")


def test_an_editor_cannot_tell_whether_another_teams_private_campaign_exists(
    as_bob, team_a, private_b
):
    for public in ("on", ""):
        slug = f"secret-plan{'-2' if public else ''}"
        private_b.slug = slug
        private_b.save()
        response = as_bob.post(
            "/t/team-a/campaigns/new/", campaign_data(slug=slug, site_public=public)
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Campaign.objects.filter(team=team_a, slug=slug).exists()


def test_a_web_address_used_in_the_same_team_is_refused(as_bob, campaign_a):
    response = as_bob.post(
        "/t/team-a/campaigns/new/", campaign_data(slug="free-the-ten", site_public="")
    )
    assert response.status_code == 400
    assert "is taken" in response.content.decode()


def test_a_public_address_in_use_by_another_teams_public_page_is_refused(as_mallory, campaign_a):
    response = as_mallory.post("/t/team-b/campaigns/new/", campaign_data(slug="free-the-ten"))
    assert response.status_code == 400
    assert "/c/free-the-ten/ is the public page of another campaign" in response.content.decode()
    private = as_mallory.post(
        "/t/team-b/campaigns/new/", campaign_data(slug="free-the-ten", site_public="")
    )
    assert private.status_code == 302


def test_the_public_page_is_the_public_campaigns_when_a_private_one_shares_the_slug(
    client, campaign_a, team_b
):
    Campaign.objects.create(team=team_b, name="Private twin", slug="free-the-ten")
    page = client.get("/c/free-the-ten/").content.decode()
    assert campaign_a.name in page and "Private twin" not in page


def test_a_command_asks_for_the_team_when_two_teams_share_a_campaigns_address(campaign_a, team_b):
    Campaign.objects.create(team=team_b, name="Twin", slug="free-the-ten")
    with pytest.raises(CommandError, match="team-a/free-the-ten"):
        call_command("search", "--campaign", "free-the-ten")
    call_command("search", "--campaign", "team-a/free-the-ten")
