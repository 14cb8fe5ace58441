"""`houseboat post`: the same rules as the web, from a terminal."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from houseboat.publishing import dispatch
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post
from tests.publishing.conftest import come_back


def houseboat_post(*args: str, stderr: StringIO | None = None) -> str:
    out = StringIO()
    call_command("post", *args, stdout=out, stderr=stderr or StringIO())
    return out.getvalue()


def test_an_editor_composes_and_schedules_from_the_command_line(bob, campaign_a, own_site):
    out = houseboat_post(
        "create",
        "--team=team-a",
        "--as=bob",
        "--campaign=free-the-ten",
        "--text=Vigil on Friday",
        "--schedule",
    )
    post = Post.objects.get()
    assert f"Scheduled post {post.pk} for now" in out

    dispatch.dispatch("cli-test")

    listing = houseboat_post("list", "--team=team-a")
    assert f"{post.pk}\tsent\tnow\tbob\t1/1 sent\tVigil on Friday" in listing
    shown = houseboat_post("show", str(post.pk))
    assert "Free the Ten — own site" in shown and "Sent /c/free-the-ten/posts/" in shown


def test_contributor_cannot_publish_from_the_command_line_but_can_submit(
    charlie, bob, campaign_a, own_site
):
    with pytest.raises(CommandError, match=r"Your role in Team A \(contributor\) cannot publish"):
        houseboat_post(
            "create", "--team=team-a", "--as=charlie", "--text=Hi", "--schedule",
            "--campaign=free-the-ten",
        )  # fmt: skip
    assert not Post.objects.exists()

    out = houseboat_post(
        "create",
        "--team=team-a",
        "--as=charlie",
        "--text=Hi",
        "--submit",
        "--campaign=free-the-ten",
    )
    post = Post.objects.get(status=PostStatus.PENDING_APPROVAL)
    assert "waiting for an editor's approval" in out
    houseboat_post("approve", str(post.pk), "--as=bob")
    assert Delivery.objects.get(variant__post=post).state == DeliveryState.SCHEDULED


def test_a_time_is_read_in_the_given_zone_and_stored_in_utc(bob, campaign_a, own_site):
    houseboat_post(
        "create",
        "--team=team-a",
        "--as=bob",
        "--campaign=free-the-ten",
        "--text=Summer",
        "--at=2031-07-01 18:00",
        "--tz=Europe/Berlin",
        "--schedule",
    )
    assert Delivery.objects.get().due_at == datetime(2031, 7, 1, 16, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_with_a_reason(bob, campaign_a):
    with pytest.raises(CommandError, match="does not exist in Europe/Berlin"):
        houseboat_post(
            "create", "--team=team-a", "--as=bob", "--text=x",
            "--at=2031-03-30 02:30", "--tz=Europe/Berlin", "--campaign=free-the-ten",
        )  # fmt: skip


def test_a_time_that_happens_twice_takes_the_first_and_says_so(bob, campaign_a, own_site):
    # As the web form does: 02:30 on 25 October 2026 in Berlin is first at +02:00.
    told = StringIO()
    houseboat_post(
        "create", "--team=team-a", "--as=bob", "--text=Autumn", "--schedule",
        "--at=2026-10-25 02:30", "--tz=Europe/Berlin", "--campaign=free-the-ten",
        stderr=told,
    )  # fmt: skip
    assert Delivery.objects.get().due_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert "happens twice in Europe/Berlin" in told.getvalue()


def test_a_time_given_with_its_offset_is_that_moment(bob, campaign_a, own_site):
    houseboat_post(
        "create", "--team=team-a", "--as=bob", "--text=Autumn", "--schedule",
        "--at=2026-10-25T02:30+01:00", "--tz=Europe/Berlin", "--campaign=free-the-ten",
    )  # fmt: skip
    assert Delivery.objects.get().due_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_a_variant_too_long_is_named_before_anything_is_scheduled(
    bob, campaign_a, mastodon_channel
):
    with pytest.raises(CommandError, match="Too long for Mastodon — main"):
        houseboat_post(
            "create", "--team=team-a", "--as=bob", f"--channel={mastodon_channel.pk}",
            "--text=" + "word " * 200, "--schedule", "--no-own-site",
        )  # fmt: skip
    assert not Delivery.objects.exists()


def test_a_channel_of_another_team_is_refused(bob, mallory, team_b):
    from houseboat.connectors.models import Channel

    theirs = Channel.objects.create(team=team_b, network="mastodon", name="B")
    with pytest.raises(CommandError, match=f"has no channel {theirs.pk}"):
        houseboat_post("create", "--team=team-a", "--as=bob", f"--channel={theirs.pk}", "--text=x")


def test_cancel_and_decide_from_the_command_line(
    bob, campaign_a, telegram_channel, telegram, networks
):
    houseboat_post(
        "create", "--team=team-a", "--as=bob", f"--channel={telegram_channel.pk}",
        "--text=Day 100", "--schedule", "--no-own-site",
    )  # fmt: skip
    telegram.then("lost")
    dispatch.dispatch("cli-test", transport=networks.transport)
    come_back()  # an unclear answer waits, then looks: a bot cannot look
    dispatch.dispatch("cli-test", transport=networks.transport)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.UNKNOWN
    assert "Unknown — check before reposting" in houseboat_post(
        "show", str(delivery.variant.post_id)
    )

    out = houseboat_post("decide", str(delivery.pk), "posted", "--as=bob", "--url=https://t.me/x/1")

    assert "It was posted" in out
    delivery.refresh_from_db()
    assert (delivery.state, delivery.remote_url) == (DeliveryState.SENT, "https://t.me/x/1")

    later = houseboat_post(
        "create", "--team=team-a", "--as=bob", "--campaign=free-the-ten", "--text=Later",
        "--at=2031-01-01 10:00", "--schedule",
    )  # fmt: skip
    pk = Post.objects.get(text="Later").pk
    assert f"Scheduled post {pk}" in later
    assert "1 part(s) stopped" in houseboat_post("cancel", str(pk), "--as=bob")


def test_listing_a_team_that_does_not_exist_says_so(db):
    with pytest.raises(CommandError, match="No team is called 'nope'"):
        houseboat_post("list", "--team=nope")
