"""Approval means what the editor saw: it binds to the version read on the Review page."""

import re

import pytest
from django.contrib.messages import get_messages

from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.publishing import services
from houseboat.publishing.constants import PostStatus
from houseboat.publishing.models import Delivery, Post

REVIEW = "/t/team-a/publish/review/"


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def submitted(charlie_member, campaign, *channels, text="Free the Ten, says charlie") -> Post:
    post = services.create_post(
        membership=charlie_member, campaign=campaign, text=text, channels=channels
    )
    return services.submit(charlie_member, post)


def version_on_review_page(client, post: Post) -> str:
    """The version the Review page's Approve form carries for this post."""
    page = client.get(REVIEW).content.decode()
    card = page[page.index(f'id="post-{post.pk}"') :]
    return re.search(r'name="version" value="(\d+)"', card).group(1)


def edit_as(client, post: Post, campaign, channel, text: str):
    return client.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        {
            "text": text,
            "campaign": campaign.pk,
            "channels": [channel.pk],
            "when": "now",
            "time_zone": "UTC",
            "action": "save",
        },
    )


def test_an_edit_after_the_editor_opened_the_review_is_not_approved(
    as_bob, as_charlie, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel)
    seen = version_on_review_page(as_bob, post)  # bob reads the post...

    # ...and charlie changes it before bob presses Approve.
    assert (
        edit_as(as_charlie, post, campaign_a, mastodon_channel, "Storm the ministry").status_code
        == 302
    )
    response = as_bob.post(
        f"/t/team-a/publish/{post.pk}/decide/", {"action": "approve", "version": seen}
    )

    assert "This post was changed after you opened it" in told(response)[0]
    post.refresh_from_db()
    assert post.status == PostStatus.PENDING_APPROVAL  # still waiting for review
    assert not Delivery.objects.exists()
    page = as_bob.get(REVIEW).content.decode()
    assert "Changed after it was sent for approval" in page
    assert "Storm the ministry" in page


def test_the_version_the_editor_read_is_the_one_that_goes_out(
    as_bob, as_charlie, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel)
    edit_as(as_charlie, post, campaign_a, mastodon_channel, "Release the ten reporters today")

    seen = version_on_review_page(as_bob, post)
    as_bob.post(f"/t/team-a/publish/{post.pk}/decide/", {"action": "approve", "version": seen})

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    texts = list(Delivery.objects.filter(variant__post=post).values_list("text", flat=True))
    assert texts and all(text.startswith("Release the ten reporters today") for text in texts)


def test_an_approval_that_names_no_version_is_refused(
    as_bob, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel)

    response = as_bob.post(f"/t/team-a/publish/{post.pk}/decide/", {"action": "approve"})

    assert "Approve from the Review page" in told(response)[0]
    post.refresh_from_db()
    assert post.status == PostStatus.PENDING_APPROVAL


@pytest.mark.parametrize("change", ["variant words", "thread", "picture description"])
def test_every_change_of_what_goes_out_makes_a_new_version(
    change, charlie_member, bob_member, campaign_a, mastodon_channel, tmp_path
):
    post = submitted(charlie_member, campaign_a, mastodon_channel)
    read = post.version
    variant = post.variants.get(channel=mastodon_channel)
    if change == "variant words":
        services.edit_variant(charlie_member, variant, text="Other words for Mastodon")
    elif change == "thread":
        services.edit_variant(charlie_member, variant, parts=["One", "Two"])
    else:
        from houseboat.publishing.models import Attachment

        attachment = Attachment.objects.create(post=post, file="x.png", mime_type="image/png")
        services.describe_attachment(charlie_member, attachment, "Ten reporters at the gate")

    with pytest.raises(services.PublishingError, match="was changed after you opened it"):
        services.approve(bob_member, post, version=read)
    post.refresh_from_db()
    assert post.changed_in_review
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.POST_SUBMITTED, detail__startswith="changed after it was sent"
        ).count()
        == 1
    )


def test_saving_without_a_change_keeps_the_version(
    as_charlie, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel, text="Same words")
    edit_as(as_charlie, post, campaign_a, mastodon_channel, "Same words")

    post.refresh_from_db()
    assert post.version == post.submitted_version
    assert not post.changed_in_review


# --- the approver sees the risk review the author saw ---------------------------------


def test_the_review_page_shows_each_risk_warning_before_the_approve_button(
    as_bob, charlie_member, campaign_a, mastodon_channel, team_a, tmp_path
):
    from django.core.files.base import ContentFile
    from django.utils.html import escape

    from houseboat.publishing.models import Attachment
    from houseboat.safety.models import DoNotName, MediaRegions
    from houseboat.safety.services import review_post
    from tests.safety.samples import camera_jpeg

    DoNotName.objects.create(team=team_a, name="Amina Yusuf", note="her brother is detained")
    post = services.create_post(
        membership=charlie_member,
        campaign=campaign_a,
        channels=[mastodon_channel],
        text="Call +44 20 7946 0958 or come to 12 Harbour Street. Amina Yusuf will speak.",
    )
    # A picture stored as it came (from before the sanitiser): location and camera data.
    raw = camera_jpeg(tmp_path / "raw.jpg").read_bytes()
    picture = Attachment(post=post, mime_type="image/jpeg")
    picture.file.save("vigil.jpg", ContentFile(raw), save=True)
    # A picture nobody has checked for faces.
    unchecked = Attachment(post=post, mime_type="image/jpeg", position=1)
    unchecked.file.save("crowd.jpg", ContentFile(raw), save=True)
    MediaRegions.objects.create(attachment=unchecked, regions=[], faces_checked=False)
    services.submit(charlie_member, post)
    author_saw = [
        risk.message
        for risk in review_post(
            post.text, [picture.file.path, unchecked.file.path], team=team_a, check_faces=False
        )
    ]
    kinds = {risk.kind for risk in review_post(post.text, [picture.file.path], team=team_a)}
    assert {"phone", "address", "do_not_name", "location", "metadata"} <= kinds

    page = as_bob.get(REVIEW).content.decode()

    approve = page.index('value="approve"')
    for message in author_saw:
        assert 0 < page.index(escape(message)) < approve, message
    assert "Nobody has checked a picture of this post for faces" in page
    assert "her brother is detained" in page


def test_a_post_without_risks_says_what_was_looked_for(
    as_bob, charlie_member, campaign_a, mastodon_channel
):
    submitted(charlie_member, campaign_a, mastodon_channel, text="Vigil on Friday at the court")

    page = as_bob.get(REVIEW).content.decode()

    assert "Risk review" in page
    assert "No phone numbers, e-mail or street addresses" in page


def test_an_editor_cannot_schedule_from_a_composer_opened_before_the_authors_change(
    as_bob, as_charlie, charlie_member, campaign_a, mastodon_channel
):
    post = submitted(charlie_member, campaign_a, mastodon_channel, text="Vigil on Friday")
    page = as_bob.get(f"/t/team-a/publish/{post.pk}/edit/").content.decode()
    seen = re.search(r'name="version" value="(\d+)"', page).group(1)
    edit_as(as_charlie, post, campaign_a, mastodon_channel, "Vigil moved to Saturday")

    response = as_bob.post(
        f"/t/team-a/publish/{post.pk}/edit/",
        {
            "text": "Vigil on Friday, all welcome",
            "campaign": campaign_a.pk,
            "channels": [mastodon_channel.pk],
            "when": "now",
            "time_zone": "UTC",
            "action": "schedule",
            "version": seen,
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "This post was changed while you had it open" in body
    assert "Vigil on Friday, all welcome" in body  # bob's words are not lost
    post.refresh_from_db()
    assert post.text == "Vigil moved to Saturday"
    assert post.status == PostStatus.PENDING_APPROVAL
    assert not Delivery.objects.exists()
