"""Composing, approving and scheduling: who may do what, and limits checked before scheduling."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied

from houseboat.core.constants import AuditAction, Role
from houseboat.core.models import AuditEvent, Membership
from houseboat.publishing import services
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post
from houseboat.publishing.services import PublishingError


def draft(membership, campaign, *channels, text="Free the Ten!", **kwargs) -> Post:
    return services.create_post(
        membership=membership, campaign=campaign, text=text, channels=channels, **kwargs
    )


def test_contributor_cannot_publish(charlie_member, campaign_a, mastodon_channel):
    post = draft(charlie_member, campaign_a, mastodon_channel)
    with pytest.raises(PermissionDenied):
        services.schedule(charlie_member, post)
    with pytest.raises(PermissionDenied):
        services.approve(charlie_member, post)
    assert not Delivery.objects.exists()


def test_contributor_submits_and_an_editor_approves_which_schedules_it(
    charlie_member, bob_member, campaign_a, mastodon_channel, run, mastodon
):
    post = draft(charlie_member, campaign_a, mastodon_channel)
    services.submit(charlie_member, post)
    assert post.status == PostStatus.PENDING_APPROVAL

    services.approve(bob_member, post, comment="Good to go")

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert post.approved_by == bob_member.user
    assert Delivery.objects.filter(variant__post=post).count() == 2  # Mastodon and own site
    run()
    post.refresh_from_db()
    assert post.status == PostStatus.SENT
    assert mastodon.texts() == ["Free the Ten!"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.POST_SUBMITTED, AuditAction.POST_APPROVED, AuditAction.POST_SCHEDULED} <= (
        actions
    )


def test_an_editor_sends_a_post_back_with_a_comment(
    charlie_member, bob_member, campaign_a, own_site
):
    post = draft(charlie_member, campaign_a)
    services.submit(charlie_member, post)
    with pytest.raises(PublishingError, match="Say what to change"):
        services.send_back(bob_member, post, comment=" ")

    services.send_back(bob_member, post, comment="Name the ministry")

    post.refresh_from_db()
    assert (post.status, post.review_comment) == (PostStatus.DRAFT, "Name the ministry")


def test_a_contributor_cannot_send_back_or_reject(charlie_member, campaign_a, own_site):
    post = draft(charlie_member, campaign_a)
    services.submit(charlie_member, post)
    for action in (services.send_back, services.reject):
        with pytest.raises(PermissionDenied):
            action(charlie_member, post, comment="no")


def test_a_viewer_cannot_even_draft(victor, team_a, campaign_a, own_site):
    viewer = Membership.objects.get(user=victor)
    assert viewer.role == Role.VIEWER
    with pytest.raises(PermissionDenied):
        draft(viewer, campaign_a)


def test_a_contributor_cannot_edit_someone_elses_post(
    bob_member, charlie_member, campaign_a, own_site
):
    post = draft(bob_member, campaign_a)
    with pytest.raises(PermissionDenied):
        services.edit_variant(charlie_member, post.variants.first(), text="changed")


def test_another_team_cannot_touch_a_post(bob_member, mallory, team_b, campaign_a, own_site):
    post = draft(bob_member, campaign_a)
    outsider = Membership.objects.get(user=mallory)
    with pytest.raises(Post.DoesNotExist):
        services.schedule(outsider, post)
    with pytest.raises(Post.DoesNotExist):
        services.cancel(outsider, post)


def test_every_post_also_goes_to_the_own_site_unless_the_author_opts_out(
    bob_member, campaign_a, mastodon_channel, own_site
):
    kept = draft(bob_member, campaign_a, mastodon_channel)
    opted_out = draft(bob_member, campaign_a, mastodon_channel, own_site=False)
    networks = lambda post: sorted(post.variants.values_list("channel__network", flat=True))  # noqa: E731
    assert networks(kept) == ["mastodon", "own_site"]
    assert networks(opted_out) == ["mastodon"]


def test_a_variant_too_long_for_its_network_is_refused_before_scheduling(
    bob_member, campaign_a, mastodon_channel
):
    post = draft(bob_member, campaign_a, mastodon_channel, text="word " * 200, own_site=False)

    problems = services.post_problems(post)
    assert len(problems) == 1 and "Too long for Mastodon — main" in problems[0].message
    with pytest.raises(PublishingError, match="Shorten it by"):
        services.schedule(bob_member, post)
    assert not Delivery.objects.exists()

    services.edit_variant(bob_member, post.variants.get(), text="Short and clear.")
    services.schedule(bob_member, post)
    assert Delivery.objects.get().text == "Short and clear."


def test_a_thread_is_refused_where_the_network_has_no_threads(bob_member, campaign_a, own_site):
    post = draft(bob_member, campaign_a)
    services.edit_variant(bob_member, post.variants.get(), parts=["one", "two"])
    with pytest.raises(PublishingError, match="cannot take a thread"):
        services.schedule(bob_member, post)


def test_a_thread_makes_one_delivery_per_part_each_after_the_one_before(
    bob_member, campaign_a, mastodon_channel
):
    post = draft(bob_member, campaign_a, mastodon_channel, own_site=False)
    services.edit_variant(bob_member, post.variants.get(), parts=["1/3", "2/3", "", "3/3"])
    services.schedule(bob_member, post)

    parts = list(Delivery.objects.order_by("part"))
    assert [d.text for d in parts] == ["1/3", "2/3", "3/3"]
    assert [d.previous for d in parts] == [None, parts[0], parts[1]]
    assert len({d.idempotency_key for d in parts}) == 3


def test_the_link_gets_each_channels_utm_parameters(bob_member, campaign_a, mastodon_channel):
    post = draft(
        bob_member, campaign_a, mastodon_channel, link="https://example.org/petition?ref=1"
    )
    services.schedule(bob_member, post)
    texts = dict(Delivery.objects.values_list("variant__channel__network", "text"))
    assert texts["mastodon"] == (
        "Free the Ten!\nhttps://example.org/petition"
        "?ref=1&utm_source=mastodon&utm_medium=social&utm_campaign=free-the-ten"
    )
    assert "utm_source=own_site" in texts["own_site"]


def test_a_scheduled_post_cannot_be_scheduled_twice(bob_member, campaign_a, own_site):
    post = draft(bob_member, campaign_a)
    services.schedule(bob_member, post)
    with pytest.raises(PublishingError, match="already scheduled"):
        services.schedule(bob_member, post)
    assert Delivery.objects.count() == 1


def test_rescheduling_moves_what_has_not_gone_out(bob_member, campaign_a, own_site):
    post = draft(bob_member, campaign_a)
    services.schedule(bob_member, post)
    later = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    assert services.reschedule(bob_member, post, at=later) == 1
    assert Delivery.objects.get().due_at == later


def test_a_contributor_may_cancel_their_own_draft_but_not_a_scheduled_post(
    charlie_member, bob_member, campaign_a, own_site
):
    mine = draft(charlie_member, campaign_a)
    services.cancel(charlie_member, mine)
    assert mine.status == PostStatus.CANCELLED

    theirs = draft(charlie_member, campaign_a)
    services.submit(charlie_member, theirs)
    services.approve(bob_member, theirs)
    theirs.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.cancel(charlie_member, theirs)
    assert Delivery.objects.get(variant__post=theirs).state == DeliveryState.SCHEDULED


def test_a_long_caption_on_telegram_is_a_note_and_the_post_can_still_be_scheduled(
    bob_member, campaign_a, telegram_channel, tmp_path, settings
):
    from django.core.files.base import ContentFile

    from houseboat.publishing.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    post = draft(bob_member, campaign_a, telegram_channel, text="word " * 300, own_site=False)
    photo = Attachment.objects.create(post=post, mime_type="image/jpeg", alt="")
    photo.file.save("vigil.jpg", ContentFile(b"\xff\xd8\xff\xe0" + b"\0" * 100))
    post.variants.get().media.add(photo)

    assert services.variant_problems(post.variants.get()) == []
    services.schedule(bob_member, post)
    assert Delivery.objects.filter(variant__post=post).count() == 1
