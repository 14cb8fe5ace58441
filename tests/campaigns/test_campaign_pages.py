"""What the campaign pages say to a tired organiser."""

from datetime import timedelta

from django.utils import timezone

from houseboat.campaigns.models import Campaign
from tests.campaigns.test_campaigns import campaign_data


def test_an_empty_name_gets_one_error_not_a_second_about_the_web_address(as_alice, team_a):
    page = as_alice.post("/t/team-a/campaigns/new/", campaign_data(name="", slug=""))
    assert page.status_code == 400
    text = page.content.decode()
    assert "This field is required." in text
    assert "Give a web address" not in text


def test_a_campaign_that_has_not_started_says_when_it_starts(as_alice, team_a):
    Campaign.objects.create(
        team=team_a,
        name="Later",
        slug="later",
        starts_on=timezone.localdate() + timedelta(days=30),
    )
    page = as_alice.get("/t/team-a/").content.decode()
    assert "Starts " in page and "Since " not in page


def test_the_dashboard_says_key_messages_stay_internal(as_alice, campaign_a):
    page = as_alice.get(campaign_a.get_absolute_url()).content.decode()
    assert "Internal: never shown on the public page." in page
    assert "houseboat export-site --campaign free-the-ten" in page


def test_public_posts_take_the_direction_of_their_own_text(campaign_a, client):
    page = client.get("/c/free-the-ten/").content.decode()
    assert '<h1 dir="auto">' in page and '<div class="summary" dir="auto">' in page


def test_the_own_site_s_articles_and_the_composer_s_posts_have_different_names(
    as_alice, campaign_a
):
    page = as_alice.get(campaign_a.get_absolute_url()).content.decode()
    assert ">Write an article</a>" in page
    # "Write a post" is the composer's name alone, and the campaign page points there.
    assert ">Publish → Write a post</a>" in page and ">Write a post</a>" not in page
    form = as_alice.get("/t/team-a/campaigns/free-the-ten/posts/new/").content.decode()
    assert "<h1>Write an article</h1>" in form and "never sent to the networks" in form
    composer = as_alice.get("/t/team-a/publish/new/").content.decode()
    assert "<h1>Write a post</h1>" in composer
