"""What people do with posts: compose, submit, approve, schedule, cancel, decide.

Every function takes the acting person's membership and checks the capability it
needs, so the web pages and the command line enforce the same rules: a contributor
drafts and submits; an editor or owner approves, schedules and publishes.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.files import File
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors import text as text_rules
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import connector_class
from houseboat.connectors.services import own_site_channel
from houseboat.core.access import require
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.models import Membership
from houseboat.core.services import audit
from houseboat.publishing.constants import DeliveryState, PostStatus, Resolution
from houseboat.publishing.dispatch import cancel_later_parts, refresh_post_status
from houseboat.publishing.models import Attachment, Delivery, Post, Variant


class PublishingError(ValueError):
    """What a person asked for cannot be done as it is; the message says why and what to do."""


# --- guards ------------------------------------------------------------------------


def _own(membership: Membership, post: Post) -> None:
    """Refuse a post of another team as if it did not exist."""
    if post.team_id != membership.team_id:
        raise Post.DoesNotExist("No such post.")


def _may_touch(membership: Membership, post: Post) -> None:
    """Authors may change their own drafts; editors and owners may change any."""
    _own(membership, post)
    if post.author_id != membership.user_id:
        require(membership, Capability.PUBLISH)
    else:
        require(membership, Capability.DRAFT)


def _changed(membership: Membership, post: Post) -> None:
    """Count a change of what would go out, so an approval of an older version is refused.

    A change after the post was sent for approval keeps it waiting for approval (an
    approval given before the change no longer holds) and is noted in the audit log.
    """
    first_in_review = post.status == PostStatus.PENDING_APPROVAL and not post.changed_in_review
    Post.objects.filter(pk=post.pk).update(version=F("version") + 1)
    post.refresh_from_db(fields=["version"])
    if post.status == PostStatus.APPROVED:
        post.status, post.approved_by, post.approved_at = PostStatus.PENDING_APPROVAL, None, None
        post.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        first_in_review = True
    if first_in_review:
        audit(
            AuditAction.POST_SUBMITTED,
            actor=membership.user,
            team=post.team,
            target=post,
            detail=f"changed after it was sent for approval: version {post.version} waits",
        )


def readable_posts(membership: Membership) -> QuerySet[Post]:
    """Return the team's posts this member may read, copy or see the pictures of.

    A dead-man switch's statements stay held until it releases them; until then only
    their holder and the team's owners read them (on the switch's pages), never other
    members through the composer, a copy, a thumbnail or a preview.
    """
    posts = Post.objects.filter(team_id=membership.team_id)
    if membership.can(Capability.MANAGE_TEAM):
        return posts
    return posts.exclude(
        Q(status=PostStatus.HELD) & ~Q(dead_man_switch__holder_id=membership.user_id)
    )


# --- composing -----------------------------------------------------------------------


@transaction.atomic
def create_post(
    *,
    membership: Membership,
    text: str,
    channels: Iterable[Channel] = (),
    campaign: Campaign | None = None,
    link: str = "",
    scheduled_at: datetime | None = None,
    own_site: bool = True,
    queued: bool = False,
) -> Post:
    """Draft a post with one variant per channel; the campaign's own site is added unless
    the author opts out, so the campaign always keeps a copy."""
    require(membership, Capability.DRAFT)
    if campaign is not None and campaign.team_id != membership.team_id:
        raise Campaign.DoesNotExist("No such campaign.")
    channels = list(channels)
    for channel in channels:
        if channel.team_id != membership.team_id:
            raise Channel.DoesNotExist("No such channel.")
    if campaign is not None and own_site:
        site = own_site_channel(campaign)
        if site.pk not in {channel.pk for channel in channels}:
            channels.append(site)
    if not channels:
        raise PublishingError("Choose at least one channel to publish to.")
    post = Post.objects.create(
        team=membership.team,
        campaign=campaign,
        author=membership.user,
        text=text,
        link=link,
        scheduled_at=None if queued else scheduled_at,
        queued=queued,
    )
    Variant.objects.bulk_create([Variant(post=post, channel=channel) for channel in channels])
    audit(AuditAction.POST_DRAFTED, actor=membership.user, team=membership.team, target=post)
    return post


def edit_variant(
    membership: Membership,
    variant: Variant,
    *,
    text: str | None = None,
    parts: Sequence[str] | None = None,
    options: dict | None = None,
) -> Variant:
    """Change one channel's text, thread parts or options while the post is not yet out."""
    post = variant.post
    _may_touch(membership, post)
    if post.status not in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.APPROVED):
        raise PublishingError("This post is already scheduled or sent: cancel it to change it.")
    before = (variant.text, list(variant.parts), dict(variant.options))
    if text is not None:
        variant.text = text
    if parts is not None:
        variant.parts = [part for part in parts if part.strip()]
    if options is not None:
        variant.options = options
    if (variant.text, list(variant.parts), dict(variant.options)) != before:
        variant.save()
        _changed(membership, post)
    return variant


# --- checking -----------------------------------------------------------------------


@dataclass(frozen=True)
class VariantProblem:
    variant: Variant
    message: str


def with_link(text: str, link: str, *, network: str, campaign: Campaign | None) -> str:
    """Add the post's link, tagged with UTM parameters for this channel, unless already there."""
    if not link or link in text:
        return text
    scheme, host, path, query, fragment = urlsplit(link)
    params = dict(parse_qsl(query))
    params.setdefault("utm_source", network)
    params.setdefault("utm_medium", "social")
    if campaign is not None:
        params.setdefault("utm_campaign", campaign.slug)
    tagged = urlunsplit((scheme, host, path, urlencode(params), fragment))
    return f"{text.rstrip()}\n{tagged}"


def part_texts(variant: Variant) -> list[str]:
    """Return the words each part will carry, the link added to the last part."""
    texts = variant.part_texts()
    if variant.channel is not None:
        texts[-1] = with_link(
            texts[-1],
            variant.post.link,
            network=variant.channel.network,
            campaign=variant.post.campaign,
        )
    return texts


def variant_problems(variant: Variant) -> list[str]:
    """Every reason this variant cannot go out as it is, in words a person can act on."""
    channel = variant.channel
    if channel is None:
        return ["Its channel was removed: remove this variant or choose another channel."]
    try:
        connector = connector_class(channel.network)(config=channel.config, secrets={})
    except (LookupError, ImportError):
        return [f"houseboat cannot publish to {channel.get_network_display()} yet."]
    manifest = connector.manifest
    if "publish" not in manifest["can"]:
        return [f"{channel.name} can be read but not published to."]
    texts = part_texts(variant)
    problems = []
    if len(texts) > 1 and "threads" not in manifest["can"]:
        problems.append(f"{channel.name} cannot take a thread: make it one post.")
    media = [item.media_file() for item in variant.media.all()]
    for index, words in enumerate(texts):
        label = channel.name if len(texts) == 1 else f"{channel.name}, part {index + 1}"
        found = text_rules.check(
            connector.limits(), words, media if index == 0 else (), label=label
        )
        # A note (the text follows the pictures as a reply, say) does not stop a post.
        problems.extend(problem.message for problem in found if problem.blocking)
    return problems


def post_problems(post: Post) -> list[VariantProblem]:
    """Every problem of every variant of the post."""
    return [
        VariantProblem(variant, message)
        for variant in post.variants.select_related("channel", "post__campaign")
        for message in variant_problems(variant)
    ]


def _refuse_problems(post: Post) -> None:
    problems = post_problems(post)
    if problems:
        raise PublishingError(
            "This post cannot be scheduled yet. " + " ".join(p.message for p in problems)
        )


def risk_messages(team, words: Iterable[str], paths: Iterable[str | Path]) -> list[str]:
    """What in these words or pictures could endanger someone (safety's review), once each.

    Faces are not looked for again (the composer checks as the person types, and a picture
    can be blurred when added); a picture nobody checked for faces is named.
    """
    # Safety's review loads numpy and Pillow: only when a post is looked at.
    from houseboat.safety.services import review_post

    text = "\n\n".join(dict.fromkeys(w for w in words if w.strip()))
    found = review_post(
        text, [Path(p) for p in paths if Path(p).exists()], team=team, check_faces=False
    )
    return list(dict.fromkeys(risk.message for risk in found))


def post_risks(post: Post) -> list[str]:
    """The risk review of a saved post, as its author saw it in the composer."""
    words = [post.text]
    for variant in post.variants.all():
        words.extend(variant.part_texts())
    paths = [item.file.path for item in post.attachments.all() if item.file]
    return risk_messages(post.team, words, paths)


# --- the approval flow -----------------------------------------------------------------


@transaction.atomic
def submit(membership: Membership, post: Post) -> Post:
    """Ask an editor to approve a draft."""
    _may_touch(membership, post)
    if post.status != PostStatus.DRAFT:
        raise PublishingError("Only a draft can be sent for approval.")
    _refuse_problems(post)
    post.status, post.submitted_version = PostStatus.PENDING_APPROVAL, post.version
    post.save(update_fields=["status", "submitted_version", "updated_at"])
    audit(AuditAction.POST_SUBMITTED, actor=membership.user, team=post.team, target=post)
    return post


@transaction.atomic
def approve(
    membership: Membership, post: Post, *, comment: str = "", version: int | None = None
) -> Post:
    """Approve a post and schedule it for its time (or at once).

    ``version`` is the version the editor read (the Review page sends it): when the
    post changed since, nothing is approved and the editor is asked to read it again.
    """
    _own(membership, post)
    require(membership, Capability.PUBLISH)
    # Locked, and read again: a change saved a moment ago must be the one compared.
    Post.objects.select_for_update().filter(pk=post.pk).first()
    post.refresh_from_db()
    if post.status not in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL):
        raise PublishingError("This post is not waiting for approval.")
    if version is not None and version != post.version:
        raise PublishingError(
            "This post was changed after you opened it for review, so nothing was approved. "
            "Read the new version below and approve it, or send it back."
        )
    post.review_comment = comment
    _approve(membership, post)
    audit(
        AuditAction.POST_APPROVED,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=comment,
    )
    return schedule(membership, post)


def _approve(membership: Membership, post: Post) -> None:
    post.status = PostStatus.APPROVED
    post.approved_by = membership.user
    post.approved_at = timezone.now()
    post.save(
        update_fields=["status", "approved_by", "approved_at", "review_comment", "updated_at"]
    )


@transaction.atomic
def send_back(membership: Membership, post: Post, *, comment: str) -> Post:
    """Return a post to its author as a draft, with what to change."""
    _own(membership, post)
    require(membership, Capability.PUBLISH)
    if post.status != PostStatus.PENDING_APPROVAL:
        raise PublishingError("Only a post waiting for approval can be sent back.")
    if not comment.strip():
        raise PublishingError("Say what to change, so the author knows.")
    post.status, post.review_comment = PostStatus.DRAFT, comment
    post.save(update_fields=["status", "review_comment", "updated_at"])
    audit(
        AuditAction.POST_SENT_BACK,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=comment,
    )
    return post


@transaction.atomic
def reject(membership: Membership, post: Post, *, comment: str = "") -> Post:
    """Refuse a post for good; it is kept, cancelled, with the reason."""
    _own(membership, post)
    require(membership, Capability.PUBLISH)
    if post.status != PostStatus.PENDING_APPROVAL:
        raise PublishingError("Only a post waiting for approval can be rejected.")
    post.status, post.review_comment = PostStatus.CANCELLED, comment
    post.save(update_fields=["status", "review_comment", "updated_at"])
    audit(
        AuditAction.POST_REJECTED,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=comment,
    )
    return post


@transaction.atomic
def schedule(membership: Membership, post: Post, *, at: datetime | None = None) -> Post:
    """Check every variant against its channel's limits and queue one delivery per part.

    Only editors and owners may: scheduling is publishing.
    """
    _own(membership, post)
    require(membership, Capability.PUBLISH)
    if post.status not in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.APPROVED):
        raise PublishingError("This post is already scheduled or sent.")
    if at is not None:
        post.scheduled_at = at
    _refuse_problems(post)
    variants = list(post.variants.select_related("channel", "post__campaign"))
    if at is None and post.queued:
        dues = _queue_dues(variants)
        post.scheduled_at = min(dues.values())
    else:
        post.queued = False if at is not None else post.queued
        dues = {variant.pk: post.scheduled_at or timezone.now() for variant in variants}
    if post.approved_by_id is None:
        _approve(membership, post)  # an editor's own post needs no second person
    for variant in variants:
        previous = None
        for index, words in enumerate(part_texts(variant)):
            previous = Delivery.objects.create(
                variant=variant, part=index, previous=previous, text=words, due_at=dues[variant.pk]
            )
    post.status = PostStatus.SCHEDULED
    post.save(update_fields=["status", "scheduled_at", "queued", "updated_at"])
    if post.queued:
        detail = "from the queue: " + ", ".join(
            f"{variant.channel} {dues[variant.pk]:%Y-%m-%d %H:%M} UTC" for variant in variants
        )
    else:
        detail = f"for {dues[variants[0].pk] if variants else timezone.now():%Y-%m-%d %H:%M} UTC"
    audit(
        AuditAction.POST_SCHEDULED,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=detail,
    )
    return post


def _queue_dues(variants: Sequence[Variant]) -> dict[int, datetime]:
    """Give each variant its channel's next free posting time from now; the own site
    goes with the earliest of them, since it has no queue of its own."""
    from houseboat.publishing.queue import queue_times  # queue builds on this module

    networks = [v.channel for v in variants if v.channel and v.channel.network != "own_site"]
    if not networks:
        raise PublishingError(
            "Only our own site was chosen, and it has no queue: choose a network channel, "
            "or publish now or at a time."
        )
    times = queue_times(networks)
    earliest = min(times.values())
    return {v.pk: times.get(v.channel_id, earliest) if v.channel else earliest for v in variants}


@transaction.atomic
def reschedule(membership: Membership, post: Post, *, at: datetime) -> int:
    """Move what has not gone out yet to a new time; return how many parts moved."""
    _own(membership, post)
    require(membership, Capability.PUBLISH)
    if post.status != PostStatus.SCHEDULED:
        raise PublishingError("Only a scheduled post can be moved.")
    moved = Delivery.objects.filter(
        variant__post=post, state=DeliveryState.SCHEDULED, attempts=0
    ).update(due_at=at)
    post.scheduled_at = at
    post.save(update_fields=["scheduled_at", "updated_at"])
    audit(
        AuditAction.POST_RESCHEDULED,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=f"to {at:%Y-%m-%d %H:%M} UTC",
    )
    return moved


@transaction.atomic
def cancel(membership: Membership, post: Post) -> int:
    """Stop whatever of the post has not gone out; return how many parts were stopped.

    A part a worker is sending at this moment cannot be stopped; it finishes.
    """
    _may_touch(membership, post)
    if post.status == PostStatus.SCHEDULED:
        require(membership, Capability.PUBLISH)
    elif post.status not in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.APPROVED):
        raise PublishingError("This post has already gone out; there is nothing to cancel.")
    stopped = Delivery.objects.filter(variant__post=post, state=DeliveryState.SCHEDULED).update(
        state=DeliveryState.CANCELLED, last_error="Cancelled by a person."
    )
    post.status = PostStatus.CANCELLED
    post.save(update_fields=["status", "updated_at"])
    audit(
        AuditAction.POST_CANCELLED,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=f"{stopped} part(s) stopped",
    )
    return stopped


# --- deliveries a person must decide about -------------------------------------------


def posted_id(delivery: Delivery, remote_url: str) -> str:
    """Return the post id in the link a person gave for a part marked "it was posted".

    A later part of a thread replies to that id, so without one it cannot go out:
    refuse, asking for the link, rather than reply to nothing.
    """
    channel = delivery.variant.channel
    found = channel.connector().remote_id_from_url(remote_url) if channel and remote_url else ""
    later = Delivery.objects.filter(variant_id=delivery.variant_id, part__gt=delivery.part)
    if not found and later.exclude(state=DeliveryState.CANCELLED).exists():
        if remote_url:
            raise PublishingError(
                "houseboat cannot find the post's number in that link, and the next part of "
                "the thread must reply to it. Paste the link of the post itself (open the "
                "post, then copy the address), or choose “do not send it”."
            )
        raise PublishingError(
            "Paste the link of the post: the next part of this thread replies to it, and "
            "houseboat needs the link to know where."
        )
    return found


@transaction.atomic
def resolve_unknown(
    membership: Membership, delivery: Delivery, decision: str, *, remote_url: str = ""
) -> Delivery:
    """Settle a delivery houseboat could not tell about, after a person looked."""
    post = delivery.variant.post
    _own(membership, post)
    require(membership, Capability.PUBLISH)
    if delivery.state != DeliveryState.UNKNOWN:
        raise PublishingError("Only a delivery marked “unknown” needs a decision.")
    now = timezone.now()
    if decision == Resolution.POSTED:
        values = {
            "state": DeliveryState.SENT,
            "sent_at": now,
            "remote_url": remote_url,
            "remote_id": posted_id(delivery, remote_url),
        }
    elif decision == Resolution.SEND_AGAIN:
        values = {
            "state": DeliveryState.SCHEDULED,
            "in_doubt": False,
            "next_attempt_at": None,
            "first_claimed_at": None,
            "attempts": 0,
        }
    elif decision == Resolution.DROP:
        values = {"state": DeliveryState.FAILED}
    else:
        raise PublishingError(f"Unknown decision {decision!r}.")
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.UNKNOWN).update(
        last_error="", **values
    )
    delivery.refresh_from_db()
    if decision == Resolution.DROP:
        cancel_later_parts(delivery)
    if decision == Resolution.SEND_AGAIN:
        Post.objects.filter(pk=post.pk).update(status=PostStatus.SCHEDULED)
    refresh_post_status(post.pk)
    audit(
        AuditAction.DELIVERY_RESOLVED,
        actor=membership.user,
        team=post.team,
        target=post,
        detail=Resolution(decision).label,
    )
    return delivery


# --- composing on the web: change a draft, attach pictures ------------------------------
# Added for the composer; the functions above are untouched.

# Formats the sanitiser writes, as the networks name them.
MEDIA_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
    "MP4": ("video/mp4", ".mp4"),
    "MOV": ("video/quicktime", ".mov"),
    "WEBM": ("video/webm", ".webm"),
}
EDITABLE = (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.APPROVED)


def _refuse_if_out(post: Post) -> None:
    if post.status not in EDITABLE:
        raise PublishingError("This post is already scheduled or sent: cancel it to change it.")


@transaction.atomic
def update_post(
    membership: Membership,
    post: Post,
    *,
    text: str,
    channels: Iterable[Channel] = (),
    campaign: Campaign | None = None,
    link: str = "",
    scheduled_at: datetime | None = None,
    own_site: bool = True,
    queued: bool = False,
) -> Post:
    """Change a post that has not gone out: its words, link, time and channels.

    A channel no longer chosen loses its variant; a new one gets a variant that starts
    from the message. The campaign's own site stays chosen unless the author opts out.
    """
    _may_touch(membership, post)
    _refuse_if_out(post)
    if campaign is not None and campaign.team_id != membership.team_id:
        raise Campaign.DoesNotExist("No such campaign.")
    wanted = {channel.pk: channel for channel in channels}
    if any(channel.team_id != membership.team_id for channel in wanted.values()):
        raise Channel.DoesNotExist("No such channel.")
    if campaign is not None and own_site:
        site = own_site_channel(campaign)
        wanted.setdefault(site.pk, site)
    if not wanted:
        raise PublishingError("Choose at least one channel to publish to.")
    before = _content(post)
    post.variants.exclude(channel_id__in=wanted).delete()
    have = set(post.variants.values_list("channel_id", flat=True))
    Variant.objects.bulk_create(
        [Variant(post=post, channel=channel) for pk, channel in wanted.items() if pk not in have]
    )
    post.text, post.link, post.campaign = text, link, campaign
    post.scheduled_at, post.queued = (None if queued else scheduled_at), queued
    post.save(update_fields=["text", "link", "campaign", "scheduled_at", "queued", "updated_at"])
    share_media(post)
    if before != _content(post):
        _changed(membership, post)
    return post


def _content(post: Post) -> tuple:
    """What of a post an approval covers, besides each channel's words and the pictures."""
    channels = frozenset(post.variants.values_list("channel_id", flat=True))
    return (post.text, post.link, post.campaign_id, post.scheduled_at, post.queued, channels)


def takes_media(channel: Channel | None) -> bool:
    """Tell whether a channel's posts can carry pictures or video at all."""
    if channel is None:
        return False
    manifest = connector_class(channel.network).manifest
    return "media" in manifest["can"] and manifest["limits"]["media"] is not None


def share_media(post: Post) -> None:
    """Give every variant whose channel takes pictures all of the post's attachments.

    The files are stored once, on the post; variants only point at them.
    """
    attachments = list(post.attachments.all())
    for variant in post.variants.select_related("channel"):
        variant.media.set(attachments if takes_media(variant.channel) else [])


def add_attachment(
    membership: Membership, post: Post, source: Path, *, alt: str = "", blur_faces: bool = False
) -> Attachment:
    """Strip a picture or video of its metadata (GPS, camera, names) and attach it.

    The file is re-encoded by the sanitiser before it is stored, so the original never
    reaches the disk of the install or a network. Its name becomes a random one, since
    a file name can say who took it or where. A file the sanitiser cannot clean is
    refused with its message (``houseboat.safety.media.MediaError``).

    The cleaning (seconds, with faces) happens before the transaction, which on SQLite
    holds the write lock from its start: inside it, everyone else's writes waited.
    """
    # numpy and Pillow load only when someone attaches a file, not with every page.
    from houseboat.safety.media import clean_media
    from houseboat.safety.services import discard_prepared, prepare_source

    _may_touch(membership, post)
    _refuse_if_out(post)
    with tempfile.TemporaryDirectory(prefix="houseboat-upload-") as folder:
        report = clean_media(Path(source), Path(folder) / "clean", blur_faces=blur_faces)
        # The unblurred copy and the boxes, so a person can fix the blur by hand.
        prepared = prepare_source(Path(source), detected=report.blurred, checked=blur_faces)
        try:
            attachment = _record_attachment(membership, post, report, alt, prepared)
        except BaseException:
            discard_prepared(prepared)
            raise
    return attachment


@transaction.atomic
def _record_attachment(membership, post, report, alt: str, prepared) -> Attachment:
    """Store the cleaned file and its row; quick, so the write lock is held briefly."""
    from houseboat.safety.services import record_source

    post = Post.objects.get(pk=post.pk)  # as it is now, after the cleaning took its time
    _may_touch(membership, post)
    _refuse_if_out(post)
    mime_type, suffix = MEDIA_TYPES.get(report.output_format, ("application/octet-stream", ""))
    with report.path.open("rb") as handle:
        attachment = Attachment(
            post=post,
            mime_type=mime_type,
            alt=alt.strip(),
            position=post.attachments.count(),
        )
        attachment.file.save(f"{uuid.uuid4().hex}{suffix}", File(handle), save=True)
    record_source(attachment, prepared)
    share_media(post)
    _changed(membership, post)
    return attachment


def describe_attachment(membership: Membership, attachment: Attachment, alt: str) -> None:
    """Change the description (alt text) of an attached picture."""
    _may_touch(membership, attachment.post)
    _refuse_if_out(attachment.post)
    if attachment.alt != alt.strip():
        attachment.alt = alt.strip()
        attachment.save(update_fields=["alt"])
        _changed(membership, attachment.post)


def remove_attachment(membership: Membership, attachment: Attachment) -> None:
    """Take a picture off a post that has not gone out, and delete its file."""
    _may_touch(membership, attachment.post)
    _refuse_if_out(attachment.post)
    post = attachment.post
    attachment.file.delete(save=False)
    attachment.delete()
    _changed(membership, post)
