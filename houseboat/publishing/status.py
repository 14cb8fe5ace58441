"""Where each post stands on each channel, in words a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from houseboat.core.constants import Capability
from houseboat.core.messages import without_repeats
from houseboat.core.models import Membership
from houseboat.publishing.constants import DeliveryState, ErrorKind, PostStatus
from houseboat.publishing.models import Delivery, Post, Variant
from houseboat.publishing.services import EDITABLE

TABS = [
    ("", _("All")),
    ("drafts", _("Drafts")),
    ("waiting", _("Waiting for approval")),
    ("scheduled", _("Scheduled")),
    ("sent", _("Sent")),
    ("attention", _("Needs a person")),
]
SHOWN = {
    "drafts": Q(status=PostStatus.DRAFT),
    "waiting": Q(status=PostStatus.PENDING_APPROVAL),
    "scheduled": Q(status__in=[PostStatus.APPROVED, PostStatus.SCHEDULED]),
    "sent": Q(status=PostStatus.SENT),
    "attention": Q(status__in=[PostStatus.FAILED, PostStatus.PARTLY_FAILED, PostStatus.UNKNOWN])
    | Q(variants__deliveries__state=DeliveryState.UNKNOWN),
}

# What to do about a delivery that failed, by why it failed.
ADVICE = {
    ErrorKind.AUTH_REVOKED: _(
        "Reconnect the channel on the Channels page, then write the post again."
    ),
    ErrorKind.PERMISSION_MISSING: _(
        "Give the account that permission on the network (the channel's settings page says "
        "how), then write the post again."
    ),
    ErrorKind.RATE_LIMITED: _(
        "The network kept asking houseboat to slow down. Wait an hour, then write the post again."
    ),
    ErrorKind.PAYLOAD_REJECTED: _(
        "The network refused this text or file. Change what it names, then write the post again."
    ),
    ErrorKind.UNREACHABLE: _(
        "The network could not be reached for a long time. Check the internet connection and "
        "the channel, then write the post again."
    ),
    ErrorKind.NOT_SUPPORTED: _(
        "This channel cannot do that. Post it without that part, or connect an account that can."
    ),
    ErrorKind.UNEXPECTED_RESPONSE: _(
        "The network gave an answer houseboat does not understand. Look on the network whether "
        "it went out before you write it again."
    ),
    ErrorKind.EARLIER_PART_FAILED: _(
        "An earlier part of this thread failed, so the rest was not sent."
    ),
    ErrorKind.CHANNEL_REMOVED: _("The channel was removed from houseboat."),
}
GENERIC_ADVICE = _(
    "Look on the network whether it went out, then write the post again. If this keeps "
    "happening, tell whoever runs houseboat."
)
# The most pressing state of any part decides what a channel's line says.
PRECEDENCE = [
    DeliveryState.UNKNOWN,
    DeliveryState.FAILED,
    DeliveryState.SENDING,
    DeliveryState.SCHEDULED,
    DeliveryState.SENT,
    DeliveryState.CANCELLED,
]


def filtered(posts: QuerySet[Post], shown: str) -> QuerySet[Post]:
    """Keep the posts of one tab of the list."""
    if shown not in SHOWN:
        return posts
    posts = posts.filter(SHOWN[shown])
    return posts.distinct() if shown == "attention" else posts


@dataclass
class ChannelLine:
    """One channel of one post: how far it got, and what a person can do."""

    variant: Variant
    state: str = ""
    url: str = ""
    error: str = ""
    advice: str = ""
    unknown: Delivery | None = None
    parts: int = 1
    sent_parts: int = 0
    moment: datetime | None = None
    sent_at: datetime | None = None
    # Parts taken down since (houseboat.publishing.takedown): the link leads nowhere now.
    taken_down: bool = False

    @property
    def name(self) -> str:
        channel = self.variant.channel
        return channel.name if channel else str(_("a removed channel"))

    @property
    def on_own_site(self) -> bool:
        channel = self.variant.channel
        return channel is not None and channel.network == "own_site"

    @property
    def link_needed(self) -> bool:
        """Whether marking the unknown part "posted" needs its link: a later part
        replies to it."""
        return self.unknown is not None and self.unknown.part + 1 < self.parts

    @property
    def state_label(self) -> str:
        if not self.state:
            return str(_("Not scheduled yet"))
        if self.state == DeliveryState.UNKNOWN:
            return str(_("Unknown"))
        return str(DeliveryState(self.state).label)


@dataclass
class PostView:
    post: Post
    lines: list[ChannelLine] = field(default_factory=list)
    can_edit: bool = False
    can_cancel: bool = False

    @property
    def went_out(self) -> datetime | None:
        sent = [line.sent_at for line in self.lines if line.sent_at]
        return min(sent) if sent else None

    @property
    def when(self) -> datetime | None:
        """The moment the post's line of the list is about: when it went or will go out."""
        if self.went_out:
            return self.went_out
        moments = [line.moment for line in self.lines if line.moment]
        return self.post.scheduled_at or (min(moments) if moments else None)

    @property
    def when_label(self) -> str:
        """Say what ``when`` is, or when it will be if there is no time yet."""
        status = self.post.status
        if self.went_out:
            return str(_("Went out"))
        if status in (PostStatus.SCHEDULED, PostStatus.APPROVED):
            return str(_("Goes out"))
        if status in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL):
            if self.post.queued:
                return str(
                    _("Into the queue: each channel's next free posting time once scheduled")
                )
            if self.post.scheduled_at:
                return str(_("Planned for"))
            if status == PostStatus.PENDING_APPROVAL:
                return str(_("Goes out as soon as it is approved"))
            return str(_("No time chosen yet"))
        return str(_("Was due")) if self.when else ""

    @property
    def can_take_down(self) -> bool:
        """Whether some part went out (or may have), so there is something to take down."""
        return any(
            line.sent_parts or line.state in (DeliveryState.UNKNOWN, DeliveryState.SENDING)
            for line in self.lines
        )

    @property
    def needs_a_person(self) -> bool:
        return any(
            line.state in (DeliveryState.UNKNOWN, DeliveryState.FAILED) for line in self.lines
        )


def line_for(variant: Variant) -> ChannelLine:
    """Sum up a channel's parts (prefetched, in order) into one line."""
    deliveries = list(variant.deliveries.all())
    line = ChannelLine(variant=variant, parts=max(1, len(deliveries)))
    if not deliveries:
        return line
    states = {delivery.state for delivery in deliveries}
    line.state = next(state for state in PRECEDENCE if state in states)
    line.sent_parts = sum(delivery.state == DeliveryState.SENT for delivery in deliveries)
    first = deliveries[0]
    line.url = first.remote_url if first.state == DeliveryState.SENT else ""
    line.moment = first.sent_at or first.due_at
    line.sent_at = first.sent_at
    tasks = [getattr(delivery, "takedown_task", None) for delivery in deliveries]
    line.taken_down = any(task is not None and task.state == "done" for task in tasks)
    if line.taken_down:
        line.url = ""
    worst = next(d for d in deliveries if d.state == line.state)
    if line.state == DeliveryState.UNKNOWN:
        line.unknown = worst
        line.error = worst.last_error
    elif line.state == DeliveryState.FAILED:
        line.error = worst.last_error
        advice = str(ADVICE.get(worst.error_kind, GENERIC_ADVICE))
        line.advice = without_repeats(advice, line.error)
    return line


def describe(post: Post, membership: Membership) -> PostView:
    """Everything the list shows of a post, and what this person may do with it."""
    editor = membership.can(Capability.PUBLISH)
    own = post.author_id == membership.user_id and membership.can(Capability.DRAFT)
    view = PostView(post=post, lines=[line_for(variant) for variant in post.variants.all()])
    view.can_edit = post.status in EDITABLE and (own or editor)
    if post.status == PostStatus.SCHEDULED:
        view.can_cancel = editor
    else:
        view.can_cancel = post.status in EDITABLE and (own or editor)
    return view
