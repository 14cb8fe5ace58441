import argparse
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core import worker
from houseboat.core.access import require
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import Capability
from houseboat.core.models import Membership, Team
from houseboat.publishing import preview, queue, services, takedown, zones
from houseboat.publishing.constants import DeliveryState, PostStatus, Resolution
from houseboat.publishing.models import Delivery, Post, Takedown

# A thread's parts are separated by a line of three (or more) dashes, nothing else on it.
THREAD_BREAK_RE = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.MULTILINE)


class AltAfter(argparse.Action):
    """Remember which --media each --alt follows, so they pair in order."""

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.alt = [*(namespace.alt or []), values]
        namespace._alt_after = [
            *getattr(namespace, "_alt_after", []),
            len(namespace.media or []) - 1,
        ]


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Compose, list, show, approve or cancel posts, and decide about unclear deliveries."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{create,list,show,approve,cancel,decide,slots,takedown}",
        )
        create = sub.add_parser(
            "create",
            help=_("Write a post for channels. It stays a draft unless --submit or --schedule."),
        )
        self.acting(create)
        create.add_argument("--campaign", default="", help=_("The campaign's web address (slug)."))
        create.add_argument(
            "--channel",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help=_("A channel's number from `houseboat channel list` (repeatable)."),
        )
        create.add_argument(
            "--no-own-site",
            action="store_true",
            help=_("Do not also publish on the campaign's own site."),
        )
        words = create.add_mutually_exclusive_group(required=True)
        words.add_argument("--text", help=_("The words of the post."))
        words.add_argument(
            "--text-file", metavar="PATH", help=_("Read them from a file ('-': stdin).")
        )
        words.add_argument(
            "--part",
            action="append",
            metavar="TEXT",
            help=_(
                "One post of a thread, in order (repeatable): each channel that takes "
                "threads gets these parts."
            ),
        )
        create.add_argument(
            "--thread",
            action="store_true",
            help=_(
                "Make a thread: parts separated by a line of three dashes (---), or, "
                "without such lines, split for each channel by its network's limit."
            ),
        )
        create.add_argument(
            "--media",
            action="append",
            default=[],
            metavar="FILE",
            help=_("A picture or video to attach, stripped of its metadata first (repeatable)."),
        )
        create.add_argument(
            "--alt",
            action=AltAfter,
            default=[],
            metavar="TEXT",
            help=_("The description of the --media before it, for people who cannot see it."),
        )
        create.set_defaults(_alt_after=[])
        create.add_argument(
            "--blur-faces", action="store_true", help=_("Blur the faces in the attached pictures.")
        )
        create.add_argument("--link", default="", help=_("A link, tagged per channel with UTM."))
        when = create.add_mutually_exclusive_group()
        when.add_argument("--at", default="", help=_("When: YYYY-MM-DD HH:MM (default: at once)."))
        when.add_argument(
            "--queue",
            action="store_true",
            help=_(
                "Each channel's next free posting time (see `houseboat post slots`), fixed "
                "when it is scheduled or approved."
            ),
        )
        create.add_argument(
            "--tz",
            default=settings.TIME_ZONE,
            help=_("Time zone of --at, e.g. Europe/Berlin (default %(time_zone)s).")
            % {"time_zone": settings.TIME_ZONE},
        )
        then = create.add_mutually_exclusive_group()
        then.add_argument("--submit", action="store_true", help=_("Ask an editor to approve it."))
        then.add_argument(
            "--schedule", action="store_true", help=_("Schedule it now (editors and owners).")
        )
        slots = sub.add_parser(
            "slots",
            help=_("List or change a channel's weekly posting times (its queue)."),
            description='Days and a time, e.g. "mon,wed 09:00", "mon-fri 12:30", '
            '"weekdays 18:00", "daily 08:00". Times are wall-clock times in --tz.',
        )
        slots.add_argument("channel", type=int, help=_("The channel's number."))
        slots.add_argument(
            "--add", action="append", default=[], metavar='"DAYS HH:MM"', help="(repeatable)"
        )
        slots.add_argument(
            "--remove", action="append", default=[], metavar='"DAYS HH:MM"', help="(repeatable)"
        )
        slots.add_argument("--clear", action="store_true", help=_("Remove every posting time."))
        slots.add_argument(
            "--suggested",
            action="store_true",
            help=_("Add the suggested times: weekdays at 09:00, 12:30 and 18:00."),
        )
        slots.add_argument(
            "--tz",
            default="",
            help=_("Time zone of the times (default: the channel's, or the install's)."),
        )
        slots.add_argument("--list", action="store_true", help=_("Only show them (the default)."))
        slots.add_argument(
            "--as",
            dest="username",
            default="",
            metavar="USERNAME",
            help=_("Who changes them (an editor or owner); not needed to list."),
        )
        listing = sub.add_parser("list", help=_("List a team's posts with how far they got."))
        listing.add_argument("--team", required=True, help=_("Short name of the team."))
        listing.add_argument(
            "--status", choices=PostStatus.values, help=_("Only posts in this status.")
        )
        show = sub.add_parser("show", help=_("Show a post and each delivery's state and error."))
        show.add_argument("post", type=int)
        for name, text in (
            ("approve", "Approve a post waiting for approval; it is scheduled."),
            ("cancel", "Stop whatever of a post has not gone out."),
        ):
            parser_ = sub.add_parser(name, help=text)
            parser_.add_argument("post", type=int)
            self.acting(parser_, team=False)
            if name == "approve":
                parser_.add_argument(
                    "--read-version",
                    type=int,
                    help=_("The version you read (see `show`); refused if the post changed since."),
                )
        down = sub.add_parser(
            "takedown",
            help=_(
                "Take a sent post down on every network (the worker deletes it); "
                "show how far it got."
            ),
            description="Without --yes, show what would happen (or the results of a takedown "
            "already asked for) and change nothing. With --yes, ask for it: the worker's "
            "dispatch lane deletes the post on each network, and this waits for the results.",
        )
        down.add_argument("post", type=int)
        down.add_argument("--yes", action="store_true", help=_("Take it down (or retry failures)."))
        down.add_argument(
            "--wait",
            type=int,
            default=60,
            metavar="SECONDS",
            help=_("How long to wait for the worker's results (default 60; 0: do not wait)."),
        )
        down.add_argument(
            "--as",
            dest="username",
            default="",
            metavar="USERNAME",
            help=_("Who takes it down (an editor or owner); not needed to look."),
        )
        decide = sub.add_parser(
            "decide", help=_("Settle a delivery marked unknown, after looking at the account.")
        )
        decide.add_argument("delivery", type=int, help=_("The delivery's number (see `show`)."))
        decide.add_argument("decision", choices=[r.replace("_", "-") for r in Resolution.values])
        decide.add_argument("--url", default="", help=_("Where it was posted, if it was."))
        self.acting(decide, team=False)

    @staticmethod
    def acting(parser, *, team: bool = True) -> None:
        if team:
            parser.add_argument("--team", required=True, help=_("Short name of the team."))
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            metavar="USERNAME",
            help=_("Who does it: their role decides what they may do, and the audit log says so."),
        )

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, action)(options)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except services.PublishingError as error:
            raise CommandError(str(error)) from None
        except (Post.DoesNotExist, Campaign.DoesNotExist, Channel.DoesNotExist) as error:
            raise CommandError(
                _("%(error)s `houseboat post list --team …` shows the posts.") % {"error": error}
            ) from None

    # -- who acts

    def member(self, username: str, team_slug: str) -> Membership:
        membership = (
            Membership.objects.select_related("team", "user")
            .filter(user__username=username, team__slug=team_slug)
            .first()
        )
        if membership is None:
            raise CommandError(
                _("%(username)r is not a member of a team called %(team_slug)r.")
                % {"username": username, "team_slug": team_slug}
            )
        return membership

    def post(self, pk: int) -> Post:
        post = Post.objects.select_related("team", "author", "campaign").filter(pk=pk).first()
        if post is None:
            raise CommandError(
                _("No post %(pk)s. `houseboat post list --team …` shows them.") % {"pk": pk}
            )
        return post

    # -- create

    def create(self, options: dict[str, Any]) -> None:
        membership = self.member(options["username"], options["team"])
        campaign = None
        if options["campaign"]:
            campaign = Campaign.objects.filter(
                team=membership.team, slug=options["campaign"]
            ).first()
            if campaign is None:
                raise CommandError(
                    _("Team %(slug)s has no campaign %(campaign)r.")
                    % {"slug": membership.team.slug, "campaign": options["campaign"]}
                )
        channels = list(Channel.objects.filter(team=membership.team, pk__in=options["channel"]))
        missing = set(options["channel"]) - {channel.pk for channel in channels}
        if missing:
            raise CommandError(
                _("Team %(slug)s has no channel %(value)s.")
                % {"slug": membership.team.slug, "value": ", ".join(map(str, sorted(missing)))}
            )
        if options["schedule"]:
            require(membership, Capability.PUBLISH)  # before a draft is left behind
        if options["queue"]:
            self.refuse_empty_queues(channels)
        text, parts = self.words_and_parts(options)
        media = self.media_with_alt(options["media"], options["alt"], options["_alt_after"])
        post = services.create_post(
            membership=membership,
            campaign=campaign,
            text=text,
            channels=channels,
            link=options["link"],
            scheduled_at=self.when(options["at"], options["tz"]),
            own_site=not options["no_own_site"],
            queued=options["queue"],
        )
        self.stdout.write(self.style.SUCCESS(_("Drafted post %(pk)s.") % {"pk": post.pk}))
        if parts or options["thread"]:
            self.make_threads(membership, post, parts)
        self.attach(membership, post, media, blur_faces=options["blur_faces"])
        self.report_problems(post)
        if options["submit"]:
            services.submit(membership, post)
            self.stdout.write(
                _("Post %(pk)s is waiting for an editor's approval.") % {"pk": post.pk}
            )
        elif options["schedule"]:
            services.schedule(membership, post)
            self.stdout.write(
                self.style.SUCCESS(
                    _("Scheduled post %(pk)s for %(due)s.") % {"pk": post.pk, "due": self.due(post)}
                )
            )
            if post.queued:
                self.report_queue(post)

    def refuse_empty_queues(self, channels: list[Channel]) -> None:
        """Say which channels have no posting times before anything is drafted."""
        if not channels:
            raise CommandError(
                _("--queue needs at least one --channel: the own site has no queue.")
            )
        empty = [c for c in channels if not c.queue_slots.exists()]
        if empty:
            names = ", ".join(f"{c.name} ({c.pk})" for c in empty)
            raise CommandError(
                _(
                    '%(names)s has no posting times, so nothing was queued. Set them with `houseboat post slots %(pk)s --as … --add "mon-fri 09:00"`.'
                )
                % {"names": names, "pk": empty[0].pk}
            )

    def report_queue(self, post: Post) -> None:
        zone = ZoneInfo(settings.TIME_ZONE)
        firsts = Delivery.objects.filter(variant__post=post, part=0).select_related(
            "variant__channel"
        )
        for delivery in firsts.order_by("due_at", "pk"):
            when = delivery.due_at.astimezone(zone)
            self.stdout.write(
                f"  {delivery.variant.channel}: {when:%a %Y-%m-%d %H:%M} {settings.TIME_ZONE} "
                "(from the queue)"
            )

    def words(self, options: dict[str, Any]) -> str:
        path = options.get("text_file")
        if path is None:
            return options["text"]
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(strerror)s.") % {"path": path, "strerror": exc.strerror}
            ) from None

    def words_and_parts(self, options: dict[str, Any]) -> tuple[str, list[str]]:
        """Return the post's words and the thread's explicit parts (none: split or no thread)."""
        if options["part"] is not None:
            parts = [part.strip() for part in options["part"] if part.strip()]
        elif options["thread"]:
            parts = [part.strip() for part in THREAD_BREAK_RE.split(self.words(options))]
            parts = [part for part in parts if part]
            if len(parts) == 1:
                return parts[0], []  # no dashes: split for each channel by its limit
        else:
            return self.words(options), []
        if len(parts) < 2:
            raise CommandError(
                _(
                    "A thread needs at least two parts: give --part twice or more, or separate "
                    "the parts by a line of three dashes (---)."
                )
            )
        return "\n\n".join(parts), parts

    def media_with_alt(
        self, files: list[str], alts: list[str], alt_after: list[int]
    ) -> list[tuple[Path, str]]:
        """Pair each --media with the --alt that follows it; refuse what cannot be read."""
        described = dict(zip(alt_after, alts, strict=True))
        if any(after < 0 for after in alt_after) or len(described) < len(alts):
            raise CommandError(
                _(
                    "--alt describes the --media before it: give each --alt right after its "
                    "--media, at most one for each."
                )
            )
        media = []
        for index, name in enumerate(files):
            path = Path(name)
            if not path.is_file():
                raise CommandError(
                    _("Cannot read %(name)s: there is no such file. Nothing drafted.")
                    % {"name": name}
                )
            media.append((path, described.get(index, "")))
        return media

    def make_threads(self, membership: Membership, post: Post, parts: list[str]) -> None:
        """Give each channel that takes threads the parts, or its own split of the text."""
        for variant in post.variants.select_related("channel"):
            channel = variant.channel
            if channel is None or "threads" not in channel.manifest["can"]:
                continue
            if not parts:
                target = preview.Target(str(channel.pk), channel.name, channel.network,
                                        channel.config)  # fmt: skip
                try:
                    split = preview.suggest_thread(
                        target, post.text, link=post.link, campaign=post.campaign
                    )
                except ValueError as error:
                    raise CommandError(f"Post {post.pk}, {channel.name}: {error}") from None
            services.edit_variant(membership, variant, parts=parts or split)
            count = len(parts or split)
            if count > 1:
                self.stdout.write(
                    _("  %(name)s: a thread of %(count)s posts")
                    % {"name": channel.name, "count": count}
                )

    def attach(
        self, membership: Membership, post: Post, media: list[tuple[Path, str]], *, blur_faces: bool
    ) -> None:
        """Clean and attach each file, as the composer does; a bad file keeps the draft."""
        if not media:
            return
        from houseboat.safety.media import MediaError  # numpy and Pillow load only here

        for path, alt in media:
            try:
                services.add_attachment(membership, post, path, alt=alt, blur_faces=blur_faces)
            except MediaError as error:
                raise CommandError(
                    _(
                        "%(name)s was not attached: %(error)s Post %(pk)s is kept as a draft with what was attached before it."
                    )
                    % {"name": path.name, "error": error, "pk": post.pk}
                ) from None
            self.stdout.write(f"  attached {path.name}" + (f": {alt}" if alt else ""))
            if not alt:
                self.stdout.write(
                    self.style.WARNING(
                        _(
                            "  %(name)s has no description: add --alt after it so people who cannot see it know what it shows."
                        )
                        % {"name": path.name}
                    )
                )

    def when(self, at: str, zone: str) -> datetime | None:
        if not at:
            return None
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise CommandError(
                _("--at %(at)r is not a time: write YYYY-MM-DD HH:MM.") % {"at": at}
            ) from None
        if moment.tzinfo is not None:  # given with its offset: one moment, whatever --tz says
            return moment.astimezone(UTC)
        # The same reading as the web form: a skipped time is refused, a repeated one
        # takes its first occurrence, and the note says so.
        reading = zones.read_local(moment, zone)
        if reading.note:
            self.stderr.write(self.style.WARNING(reading.note))
        return reading.utc

    def report_problems(self, post: Post) -> None:
        for problem in services.post_problems(post):
            self.stdout.write(
                self.style.WARNING(_("  to fix: %(message)s") % {"message": problem.message})
            )

    @staticmethod
    def due(post: Post) -> str:
        if post.scheduled_at is None:
            return "now"
        zone = ZoneInfo(settings.TIME_ZONE)
        return f"{post.scheduled_at.astimezone(zone):%Y-%m-%d %H:%M} {settings.TIME_ZONE}"

    # -- a channel's posting times

    def slots(self, options: dict[str, Any]) -> None:
        channel = Channel.objects.select_related("team").filter(pk=options["channel"]).first()
        if channel is None:
            raise CommandError(
                _("No channel %(channel)s. `houseboat channel list` shows them.")
                % {"channel": options["channel"]}
            )
        changing = options["add"] or options["remove"] or options["clear"] or options["suggested"]
        if changing:
            self.change_slots(channel, options)
        have = queue.slots_of(channel)
        if not have:
            self.stdout.write(
                _(
                    '%(name)s has no posting times. Add some: houseboat post slots %(pk)s --as USERNAME --add "mon-fri 09:00"'
                )
                % {"name": channel.name, "pk": channel.pk}
            )
            return
        self.stdout.write(f"{channel.name}: {queue.describe(have)} ({queue.zone_of(channel)})")
        upcoming = queue.next_free(channel)
        if upcoming is not None:
            zone = queue.zone_of(channel)
            self.stdout.write(
                f"  next free: {upcoming.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M} {zone}"
            )

    def change_slots(self, channel: Channel, options: dict[str, Any]) -> None:
        if not options["username"]:
            raise CommandError(_("Say who changes the posting times: --as USERNAME."))
        membership = self.member(options["username"], channel.team.slug)
        zone = options["tz"] or queue.zone_of(channel)
        wanted = set() if options["clear"] else set(queue.slots_of(channel))
        if options["suggested"]:
            wanted |= set(queue.SUGGESTED)
        for spec in options["add"]:
            wanted |= set(queue.parse_spec(spec))
        for spec in options["remove"]:
            wanted -= set(queue.parse_spec(spec))
        queue.set_slots(membership, channel, wanted, zone)
        self.stdout.write(
            self.style.SUCCESS(_("Saved the posting times of %(name)s.") % {"name": channel.name})
        )

    # -- list and show

    def list(self, options: dict[str, Any]) -> None:
        if not Team.objects.filter(slug=options["team"]).exists():
            raise CommandError(
                _("No team is called %(team)r. `houseboat team list`.") % {"team": options["team"]}
            )
        posts = (
            Post.objects.filter(team__slug=options["team"])
            .exclude(status=PostStatus.HELD)  # listed by the dead-man switch pages only
            .select_related("author")
            .annotate(
                parts=Count("variants__deliveries"),
                sent=Count(
                    "variants__deliveries",
                    filter=Q(variants__deliveries__state=DeliveryState.SENT),
                ),
            )
            .order_by("-created_at", "-id")
        )
        if options.get("status"):
            posts = posts.filter(status=options["status"])
        if not posts:
            self.stdout.write(_("No posts. Write one: houseboat post create --help"))
        for post in posts:
            progress = f"{post.sent}/{post.parts} sent" if post.parts else "-"
            self.stdout.write(
                f"{post.pk}\t{post.status}\t{self.due(post)}\t{post.author.username}\t"
                f"{progress}\t{post}"
            )

    def show(self, options: dict[str, Any]) -> None:
        post = self.post(options["post"])
        if post.status == PostStatus.HELD:
            # Its holder and the owners read it on the dead-man pages, signed in as themselves.
            raise CommandError(
                _(
                    "Post %(pk)s holds the statements of a dead-man switch: only its holder and the team's owners see them, on the switch's page."
                )
                % {"pk": post.pk}
            )
        self.stdout.write(
            _("Post %(pk)s by %(username)s: %(get_status_display)s")
            % {
                "pk": post.pk,
                "username": post.author.username,
                "get_status_display": post.get_status_display(),
            }
        )
        self.stdout.write(_("  publish at: %(due)s") % {"due": self.due(post)})
        changed = " (changed after it was sent for approval)" if post.changed_in_review else ""
        self.stdout.write(f"  version: {post.version}{changed}")
        if post.review_comment:
            self.stdout.write(
                _("  review comment: %(review_comment)s") % {"review_comment": post.review_comment}
            )
        for line in post.text.splitlines():
            self.stdout.write(f"  | {line}")
        deliveries = Delivery.objects.filter(variant__post=post).select_related("variant__channel")
        for variant in post.variants.select_related("channel"):
            self.stdout.write(f"  {variant.channel or 'a removed channel'}")
            for delivery in [d for d in deliveries if d.variant_id == variant.pk]:
                where = delivery.remote_url or delivery.remote_id or ""
                self.stdout.write(
                    f"    delivery {delivery.pk}, part {delivery.part + 1}: "
                    f"{delivery.get_state_display()} {where}".rstrip()
                )
                if delivery.last_error:
                    self.stdout.write(f"      {delivery.last_error}")

    # -- approve, cancel, decide

    def approve(self, options: dict[str, Any]) -> None:
        post = self.post(options["post"])
        services.approve(
            self.member(options["username"], post.team.slug), post, version=options["read_version"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Approved post %(pk)s; it goes out %(due)s.")
                % {"pk": post.pk, "due": self.due(post)}
            )
        )

    def cancel(self, options: dict[str, Any]) -> None:
        post = self.post(options["post"])
        stopped = services.cancel(self.member(options["username"], post.team.slug), post)
        self.stdout.write(
            self.style.SUCCESS(
                _("Cancelled post %(pk)s; %(stopped)s part(s) stopped.")
                % {"pk": post.pk, "stopped": stopped}
            )
        )

    def decide(self, options: dict[str, Any]) -> None:
        delivery = (
            Delivery.objects.select_related("variant__post__team")
            .filter(pk=options["delivery"])
            .first()
        )
        if delivery is None:
            raise CommandError(
                _("No delivery %(delivery)s. `houseboat post show` lists them.")
                % {"delivery": options["delivery"]}
            )
        post = delivery.variant.post
        decision = options["decision"].replace("-", "_")
        services.resolve_unknown(
            self.member(options["username"], post.team.slug),
            delivery,
            decision,
            remote_url=options["url"],
        )
        self.stdout.write(
            self.style.SUCCESS(f"Delivery {delivery.pk}: {Resolution(decision).label}.")
        )

    # -- take down

    def takedown(self, options: dict[str, Any]) -> None:
        post = self.post(options["post"])
        if post.status == PostStatus.HELD:
            raise CommandError(
                _("Post %(pk)s holds a dead-man switch's statements; not sent.") % {"pk": post.pk}
            )
        asked = Takedown.objects.filter(post=post).exists()
        if not options["yes"]:
            if asked:
                self.report_takedown(post)
            else:
                self.preview_takedown(post)
            return
        if not options["username"]:
            raise CommandError(_("Say who takes it down: --as USERNAME (an editor or owner)."))
        takedown.request_takedown(self.member(options["username"], post.team.slug), post)
        self.stdout.write(_("Taking post %(pk)s down everywhere.") % {"pk": post.pk})
        self.wait_for_worker(post, options["wait"])
        self.report_takedown(post)

    def preview_takedown(self, post: Post) -> None:
        if not takedown.can_take_down(post):
            self.stdout.write(
                _("Nothing of post %(pk)s went out: there is nothing to take down.")
                % {"pk": post.pk}
            )
            return
        self.stdout.write(_("Taking post %(pk)s down everywhere would:") % {"pk": post.pk})
        for line in takedown.preview(post):
            if line.state == "by_hand":
                what = "must be removed by hand (the steps are shown once you confirm)"
            elif line.network == "own_site":
                what = "be removed from the page and the feed"
            else:
                what = "be deleted by houseboat"
            parts = f" ({line.parts} parts)" if line.parts > 1 else ""
            self.stdout.write(f"  {line.name}{parts}: {what}")
            for note in [line.warning, *line.notes]:
                if note:
                    self.stdout.write(f"      {note}")
        self.stdout.write(
            _(
                "Nothing was changed. To take it down: houseboat post takedown %(pk)s --as USERNAME --yes"
            )
            % {"pk": post.pk}
        )

    def wait_for_worker(self, post: Post, seconds: int) -> None:
        """Wait for the dispatch lane to settle every task, up to ``seconds``."""
        if takedown.settled(post) or seconds <= 0:
            return
        lanes = {lane.name: lane.running for lane in worker.lane_statuses(120)}
        if not lanes.get("dispatch"):
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "No worker is running the dispatch lane, so nothing is deleted yet. Start one (houseboat worker) and it goes ahead; check with houseboat post takedown %(pk)s"
                    )
                    % {"pk": post.pk}
                )
            )
            return
        end = time.monotonic() + seconds
        while time.monotonic() < end and not takedown.settled(post):
            time.sleep(1)

    def report_takedown(self, post: Post) -> None:
        lines = takedown.results(post)
        failed = 0
        for line in lines:
            parts = f" ({line.done_parts} of {line.parts} parts down)" if line.parts > 1 else ""
            self.stdout.write(f"  {line.name}{parts}: {line.state_label}")
            for note in [line.warning, *line.notes]:
                if note:
                    self.stdout.write(f"      {note}")
            for number, step in enumerate(line.steps, 1):
                self.stdout.write(f"      {number}. {step}")
            failed += line.state == "failed"
        if not takedown.settled(post):
            self.stdout.write(
                _("Still waiting for the worker. See again: houseboat post takedown %(pk)s")
                % {"pk": post.pk}
            )
        if failed:
            raise CommandError(
                _(
                    "%(failed)s channel(s) failed; the reasons are above. Fix them, then run houseboat post takedown %(pk)s --as USERNAME --yes to try those again."
                )
                % {"failed": failed, "pk": post.pk}
            )
