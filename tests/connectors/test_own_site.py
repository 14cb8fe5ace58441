"""The own site: every campaign has one, and a delivery can never publish twice."""

from django.test import Client

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import SitePost
from houseboat.connectors.base import OutgoingPost, PayloadRejected
from houseboat.connectors.models import Channel


def own_site(campaign):
    return Channel.objects.get(network="own_site", config__campaign_id=campaign.pk)


def test_every_new_campaign_gets_its_own_site_channel(campaign_a):
    channel = own_site(campaign_a)
    assert channel.team == campaign_a.team
    assert "Free the Ten" in channel.name


def test_publishing_to_the_own_site_shows_the_post_on_the_public_page_and_feed(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    post = OutgoingPost(
        text="Vigil on Friday at the ministry\nBring candles.",
        idempotency_key="delivery-1",
        options={"author_id": alice.pk},
    )
    published = connector.publish(post)
    site_post = SitePost.objects.get(pk=published.remote_id)
    assert site_post.title == "Vigil on Friday at the ministry"
    assert site_post.status == PostStatus.PUBLISHED
    assert published.url.endswith(f"/c/free-the-ten/posts/{site_post.pk}/")
    assert b"Bring candles." in Client().get(published.url).content
    assert b"Vigil on Friday" in Client().get(campaign_a.feed_url()).content


def test_the_same_delivery_published_twice_makes_one_post(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    post = OutgoingPost(
        text="Once only", idempotency_key="delivery-2", options={"author_id": alice.pk}
    )
    first, second = connector.publish(post), connector.publish(post)
    assert first.remote_id == second.remote_id
    assert SitePost.objects.filter(body="Once only").count() == 1


def test_deleting_takes_the_post_off_the_public_page(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    published = connector.publish(
        OutgoingPost(text="Short-lived", idempotency_key="d3", options={"author_id": alice.pk})
    )
    connector.delete(published)
    assert Client().get(published.url).status_code == 404
    assert [item.text for item in connector.recent_posts()] == []


def test_a_channel_whose_campaign_is_gone_says_so(campaign_a):
    channel = own_site(campaign_a)
    connector = channel.connector()
    campaign_a.delete()
    try:
        connector.check()
    except PayloadRejected as error:
        assert "no longer exists" in str(error)
    else:
        raise AssertionError("check() should refuse")


def test_check_warns_while_the_public_page_is_off(campaign_a):
    campaign_a.site_public = False
    campaign_a.save()
    account = own_site(campaign_a).connector().check()
    assert account.handle == "/c/free-the-ten/"
    assert any("public page is off" in note for note in account.notes)
