"""The report's sections: one function each, reading the other apps' models and services.

Each returns a :class:`Section`: headline figures, charts (SVG drawn on the server by
:mod:`houseboat.core.charts`, each with its numbers) and tables. Every chart and table
becomes one CSV file of the annex. No section names a supporter: people appear only as
counts, and the safety counts go through :mod:`houseboat.reports.suppression`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from houseboat.campaigns.models import Campaign
from houseboat.core.charts import Chart, Series, bar_chart, line_chart
from houseboat.reports import suppression


@dataclass
class Table:
    """A table of the report, and one CSV file of its annex."""

    key: str
    title: str
    header: list[str]
    rows: list[list]


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    figures: list[tuple[str, object]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Said instead of the figures when the section has nothing to show.
    empty: str = ""

    def annex(self) -> list[tuple[str, str, list[str], list[list]]]:
        """Return (file key, title, header, rows) of every chart and table, for the CSV annex."""
        return [(c.key, c.title, c.header, c.rows) for c in self.charts if c.rows] + [
            (t.key, t.title, t.header, t.rows) for t in self.tables
        ]


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, as UTC datetimes for queries."""

    start: date
    end: date
    rtl: bool = False

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def network_label(code: str | None) -> str:
    from houseboat.connectors.constants import Network

    if not code:
        return _("a channel since removed")
    return str(Network(code).label) if code in Network.values else code


# --- outputs ---------------------------------------------------------------------------------


def outputs(campaign: Campaign, period: Period) -> Section:
    """Count the posts sent per network and the calls to action held in the period."""
    from houseboat.organizing.constants import ActionKind
    from houseboat.organizing.models import CallToAction
    from houseboat.publishing.constants import DeliveryState
    from houseboat.publishing.models import Delivery

    sent = (
        Delivery.objects.filter(
            variant__post__campaign=campaign,
            state=DeliveryState.SENT,
            part=0,  # a thread is one post
            sent_at__gte=period.since,
            sent_at__lt=period.until,
        )
        .values("variant__channel__network")
        .annotate(posts=Count("variant__post", distinct=True))
        .order_by("-posts", "variant__channel__network")
    )
    per_network = [(network_label(r["variant__channel__network"]), r["posts"]) for r in sent]
    posts = (
        Delivery.objects.filter(
            variant__post__campaign=campaign,
            state=DeliveryState.SENT,
            sent_at__gte=period.since,
            sent_at__lt=period.until,
        )
        .values("variant__post")
        .distinct()
        .count()
    )
    held = list(
        CallToAction.objects.filter(campaign=campaign)
        .filter(
            Q(starts_at__gte=period.since, starts_at__lt=period.until)
            | Q(starts_at__isnull=True, created_at__gte=period.since, created_at__lt=period.until)
        )
        .annotate(answers=Count("responses"))
        .order_by("starts_at", "created_at", "id")
    )
    kinds = Counter(a.kind for a in held)
    section = Section(
        "outputs",
        _("Outputs"),
        _("What the campaign put out: posts sent on each network, and calls to action held."),
        figures=[
            (_("Posts sent (one post on several networks counts once)"), posts),
            (_("Posts sent, counted once per network"), sum(n for _l, n in per_network)),
            (_("Calls to action held"), len(held)),
        ],
    )
    if per_network:
        section.charts.append(
            bar_chart(
                "outputs-posts-per-network",
                _("Posts sent per network"),
                _("How many posts went out on each network in the period."),
                per_network,
                rtl=period.rtl,
                label_heading=_("network"),
                value_heading=_("posts sent"),
            )
        )
    section.tables.append(
        Table(
            "outputs-calls-to-action",
            _("Calls to action held"),
            [_("title"), _("kind"), _("starts"), _("answers so far")],
            [
                [
                    a.title,
                    str(ActionKind(a.kind).label) if a.kind in ActionKind.values else a.kind,
                    (a.starts_at or a.created_at).date().isoformat(),
                    a.answers,
                ]
                for a in held
            ],
        )
    )
    section.tables.append(
        Table(
            "outputs-calls-by-kind",
            _("Calls to action by kind"),
            [_("kind"), _("held")],
            [
                [str(ActionKind(k).label) if k in ActionKind.values else k, n]
                for k, n in kinds.most_common()
            ],
        )
    )
    if not posts and not held:
        section.empty = _("No post was sent and no call to action was held in this period.")
    return section


# --- reach and engagement ----------------------------------------------------------------------

METRICS = ("views", "likes", "reposts", "replies", "quotes")


def metric_headings() -> list[str]:
    return [_("views"), _("likes"), _("reposts"), _("replies"), _("quotes")]


def reach(campaign: Campaign, period: Period) -> Section:
    """Add up the latest counts read back for the team's own posts, per network.

    The posts houseboat sent carry the networks' own readings (publishing metrics);
    where there are none, the archive's copies of the team's accounts' posts are used.
    """
    per_network, posts = sent_post_metrics(campaign, period)
    source = _("the counts read back from each network for the posts houseboat sent")
    if not per_network:
        per_network, posts = archive_metrics(campaign, period)
        source = _("the archive (posts of the team's own accounts)")
    rows = [[network_label(n), posts[n], *sums] for n, sums in sorted(per_network.items())]
    totals = [sum(r[i] for r in rows) for i in range(1, 2 + len(METRICS))]
    section = Section(
        "reach",
        _("Reach and engagement"),
        _("The latest counts the networks reported for the team's own posts, from %(source)s.")
        % {"source": source},
        figures=[
            (_("Own posts counted (once per network)"), totals[0]),
            (_("Views (where the network reports them)"), totals[1]),
            (_("Interactions (likes, reposts, replies, quotes)"), sum(totals[2:])),
        ],
        notes=[
            _(
                "Networks report different counts: Mastodon has no views, Telegram no likes. "
                "A count a network does not report is added as 0."
            )
        ],
    )
    if rows:
        section.charts.append(
            bar_chart(
                "reach-interactions-per-network",
                _("Interactions with the team's posts, per network"),
                _("Likes, reposts, replies and quotes of the posts of the period."),
                [(r[0], sum(r[3:])) for r in rows],
                rtl=period.rtl,
                label_heading=_("network"),
                value_heading=_("interactions"),
            )
        )
    section.tables.append(
        Table(
            "reach-per-network",
            _("Reach and engagement per network"),
            [_("network"), _("posts"), *metric_headings()],
            rows,
        )
    )
    if not rows:
        section.empty = _("No counts were read back for the team's posts in this period.")
    return section


def archive_metrics(campaign: Campaign, period: Period) -> tuple[dict[str, list[int]], Counter]:
    """Sum the archive's counts of the posts of the team's own accounts, per network."""
    from houseboat.listening.analytics import team_handles
    from houseboat.listening.models import Item

    per_network: dict[str, list[int]] = {}
    posts: Counter = Counter()
    handles = team_handles(campaign)
    if not handles:
        return per_network, posts
    own = Q()
    for handle in handles:
        own |= Q(author__handle__iexact=handle) | Q(author__handle__iexact="@" + handle)
    items = Item.objects.filter(
        own, campaign=campaign, created_at__gte=period.since, created_at__lt=period.until
    ).values_list("network", "metrics")
    for network, metrics in items.iterator(chunk_size=2000):
        sums = per_network.setdefault(network, [0] * len(METRICS))
        posts[network] += 1
        for i, name in enumerate(METRICS):
            value = (metrics or {}).get(name)
            if isinstance(value, int | float):
                sums[i] += int(value)
    return per_network, posts


def sent_post_metrics(campaign: Campaign, period: Period) -> tuple[dict[str, list[int]], Counter]:
    """Sum each sent delivery's latest metrics reading, per network."""
    from houseboat.publishing.models import MetricSample

    samples = (
        MetricSample.objects.filter(
            delivery__variant__post__campaign=campaign,
            delivery__sent_at__gte=period.since,
            delivery__sent_at__lt=period.until,
        )
        .order_by("delivery_id", "-captured_at", "-id")
        .values_list("delivery_id", "delivery__variant__channel__network", *METRICS)
    )
    latest: dict[int, tuple] = {}
    for delivery_id, network, *values in samples:
        latest.setdefault(delivery_id, (network, values))
    per_network: dict[str, list[int]] = {}
    posts: Counter = Counter()
    for network, values in latest.values():
        sums = per_network.setdefault(network or "", [0] * len(METRICS))
        posts[network or ""] += 1
        for i, value in enumerate(values):
            sums[i] += value or 0
    return per_network, posts


# --- response to each action -------------------------------------------------------------------

ACTIONS_SHOWN = 12


def response(campaign: Campaign, period: Period) -> Section:
    """Rank the dated events of the period (or else the posts sent) by the response they had."""
    from houseboat.listening import actions
    from houseboat.listening.models import DatedEvent

    events = DatedEvent.objects.filter(
        campaign=campaign, starts_at__gte=period.since, starts_at__lt=period.until
    ).order_by("starts_at")
    chosen = [actions.event_action(e) for e in events]
    what = _("dated events")
    if not chosen:
        posts = actions.published_posts(campaign).filter(
            first_sent__gte=period.since, first_sent__lt=period.until
        )
        chosen = [actions.post_action(p) for p in posts.order_by("first_sent")[:200]]
        what = _("posts sent")
    hours = actions.DEFAULT_HOURS
    ranked = actions.ranked(campaign, chosen, hours)[:ACTIONS_SHOWN]
    section = Section(
        "response",
        _("Response to each action"),
        _(
            "For each of the %(what)s: posts in the archive in the %(hours)s hours before it "
            "and in as many hours after. The score is (after + 1) ÷ (before + 1): 3.0 is three "
            "times the conversation, 1.0 no change."
        )
        % {"what": what, "hours": hours},
    )
    rows = [
        [
            r.action.name,
            r.action.kind_label,
            r.action.starts_at.strftime("%Y-%m-%d %H:%M"),
            r.before,
            r.after,
            round(r.score, 1),
        ]
        for r in ranked
    ]
    section.tables.append(
        Table(
            "response-per-action",
            _("Response to each action"),
            [_("action"), _("kind"), _("starts (UTC)"), _("before"), _("after"), _("score")],
            rows,
        )
    )
    if ranked:
        section.charts.append(
            bar_chart(
                "response-score",
                _("Response score of each action"),
                _("Conversation after the action compared with before it."),
                [(r.action.name, round(r.score, 1)) for r in ranked],
                rtl=period.rtl,
                label_heading=_("action"),
                value_heading=_("score"),
            )
        )
        best = ranked[0]
        section.figures.append(
            (_("Strongest response"), f"{best.action.name} ({best.score:.1f} times)")
        )
    else:
        section.empty = _("No dated event or sent post falls in this period.")
    return section


# --- ladder of engagement and turnout ------------------------------------------------------------


def ladder(campaign: Campaign, period: Period) -> Section:
    """Count supporters who reached each rung in the period, and the turnout of events."""
    from houseboat.organizing.funnel import progress_by_supporter, reached_day
    from houseboat.organizing.models import Response
    from houseboat.organizing.services import ladder as rungs_of

    rungs = list(rungs_of(campaign.team))
    people, joined, _total = progress_by_supporter(campaign, None)
    start_day = period.since.timestamp() / 86400
    end_day = period.until.timestamp() / 86400
    before = [0] * len(rungs)
    during = [0] * len(rungs)
    for supporter_id in people.keys() | joined.keys():
        progress = people.get(supporter_id, {})
        firsts = [first for _n, first, _last in progress.values()]
        since = joined.get(supporter_id)
        entered = min(firsts + ([since] if since is not None else []))
        for i, rung in enumerate(rungs):
            day = entered if i == 0 or not rung.kinds else None
            if i and rung.kinds:
                day = reached_day(progress, rung.kinds, rung.min_count)
            if day is None:
                continue
            if day < start_day:
                before[i] += 1
            elif day < end_day:
                during[i] += 1
    section = Section(
        "ladder",
        _("Movement up the ladder of engagement, and turnout"),
        _(
            "How many supporters reached each rung of the team's ladder during the period, "
            "and how many stood on it before. Counts only: no supporter is named."
        ),
    )
    rows = [[r.name, before[i], during[i], before[i] + during[i]] for i, r in enumerate(rungs)]
    section.tables.append(
        Table(
            "ladder-rungs",
            _("Supporters on each rung"),
            [_("rung"), _("before the period"), _("reached in the period"), _("at the end")],
            rows,
        )
    )
    if rungs and (people or joined):
        section.charts.append(
            bar_chart(
                "ladder-reached",
                _("Supporters who reached each rung in the period"),
                _("New arrivals on each rung of the ladder of engagement."),
                [(r.name, during[i]) for i, r in enumerate(rungs)],
                rtl=period.rtl,
                label_heading=_("rung"),
                value_heading=_("reached in the period"),
            )
        )
        section.figures.append((_("Supporters who moved up at least one rung"), sum(during[1:])))
    answers = (
        Response.objects.filter(
            campaign=campaign, created_at__gte=period.since, created_at__lt=period.until
        )
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n", "kind")
    )
    from houseboat.organizing.constants import ResponseKind

    by_kind = [
        [
            str(ResponseKind(r["kind"]).label) if r["kind"] in ResponseKind.values else r["kind"],
            r["n"],
        ]
        for r in answers
    ]
    section.tables.append(
        Table(
            "ladder-responses",
            _("Answers to calls to action, by kind"),
            [_("answer"), _("how many")],
            by_kind,
        )
    )
    section.figures.append((_("Answers to calls to action"), sum(n for _k, n in by_kind)))
    section.tables.append(turnout(campaign, period))
    if not rungs and not by_kind:
        section.empty = _("There is no organising data for this campaign yet.")
    return section


def turnout(campaign: Campaign, period: Period) -> Table:
    """Return the events of the period with their RSVPs, attendance and turnout."""
    from houseboat.organizing.constants import ActionKind, ResponseKind
    from houseboat.organizing.models import CallToAction

    events = (
        CallToAction.objects.filter(
            campaign=campaign,
            kind=ActionKind.EVENT,
            starts_at__gte=period.since,
            starts_at__lt=period.until,
        )
        .annotate(
            rsvps=Count("responses", filter=Q(responses__kind=ResponseKind.RSVP)),
            attended=Count("responses", filter=Q(responses__kind=ResponseKind.ATTENDED)),
        )
        .order_by("starts_at")
    )
    rows = [
        [
            e.title,
            e.starts_at.date().isoformat(),
            e.rsvps,
            e.attended,
            f"{e.attended / e.rsvps:.0%}" if e.rsvps else "",
        ]
        for e in events
    ]
    return Table(
        "ladder-turnout",
        _("Turnout at events"),
        [_("event"), _("day"), _("RSVPs"), _("attended"), _("turnout")],
        rows,
    )


# --- framing from the radar ------------------------------------------------------------------


def framing(campaign: Campaign, period: Period) -> Section:
    """Compare the press and the social conversation on the campaign's issue (the radar)."""
    section = Section(
        "framing",
        _("Framing: the press and the social conversation"),
        _("How the press and social media told the story, from the press radar."),
    )
    if not apps.is_installed("houseboat.radar"):
        section.empty = _("No issue is defined for the press radar yet.")
        return section
    from houseboat.radar import compare as radar_compare  # lazily: the radar is optional
    from houseboat.radar.models import IssueQuery

    query = IssueQuery.objects.filter(campaign=campaign).order_by("-created_at", "-id").first()
    if query is None:
        section.empty = _("No issue is defined for the press radar yet.")
        return section
    result = radar_compare.compare(query, period.since, period.until)
    return framing_from(section, result, period)


def framing_from(section: Section, result, period: Period) -> Section:
    """Fill the framing section from a radar Comparison (see the radar's contract)."""
    section.intro = _("The issue “%(name)s”: %(terms)s.") % {
        "name": result.query.name,
        "terms": ", ".join(result.query.terms),
    }
    section.notes.extend(result.sentences)
    section.figures.extend(
        [
            (_("Press stories on the issue"), f"{result.press.matched} / {result.press.collected}"),
            (
                _("Social posts on the issue"),
                f"{result.social.matched} / {result.social.collected}",
            ),
        ]
    )
    if result.lead is not None:
        from houseboat.radar.compare import how_long

        side = _("The press") if result.lead.side == "press" else _("Social media")
        section.figures.append(
            (
                _("Who spoke first"),
                _("%(side)s, %(span)s earlier") % {"side": side, "span": how_long(result.lead.by)},
            )
        )
    titles = {
        "press": _("Words distinctive of the press"),
        "social": _("Words distinctive of social media"),
    }
    for side in (result.press, result.social):
        section.tables.append(
            Table(
                f"framing-{side.name}-terms",
                titles[side.name],
                [_("word"), "z", _("count")],
                [[t.term, round(t.z, 2), t.count] for t in side.distinctive[:15]],
            )
        )
    if result.press.days:
        days = [d.date for d in result.press.days]
        social = {d.date: d.matched for d in result.social.days}
        section.charts.append(
            line_chart(
                "framing-days",
                _("The issue in the press and on social media, per day"),
                _("Documents that match the issue, each day."),
                [str(d) for d in days],
                [
                    Series(_("press"), [d.matched for d in result.press.days]),
                    Series(_("social"), [social.get(d, 0) for d in days]),
                ],
                rtl=period.rtl,
                x_heading=_("day"),
            )
        )
    return section


# --- outcomes harvested ------------------------------------------------------------------------


def outcomes(campaign: Campaign, period: Period) -> Section:
    """List the outcomes the team harvested in the period."""
    from houseboat.reports.models import Outcome

    found = list(
        Outcome.objects.filter(
            campaign=campaign, happened_on__gte=period.start, happened_on__lte=period.end
        ).order_by("happened_on", "id")
    )
    section = Section(
        "outcomes",
        _("Outcomes harvested"),
        _(
            "Changes in what others did that the team recorded: who changed what, when, how the "
            "campaign contributed, and who confirms it."
        ),
        figures=[(_("Outcomes recorded"), len(found))],
    )
    section.tables.append(
        Table(
            "outcomes",
            _("Outcomes harvested"),
            [
                _("when"),
                _("who changed"),
                _("what changed"),
                _("how the campaign contributed"),
                _("who confirms it"),
            ],
            [
                [o.happened_on.isoformat(), o.actor, o.change, o.contribution, o.confirmed_by]
                for o in found
            ],
        )
    )
    if not found:
        section.empty = _("No outcome was recorded for this period.")
    return section


# --- policy change -------------------------------------------------------------------------------


def policy(campaign: Campaign, period: Period) -> Section:
    """List the demands' reviewed status changes in the period, with their evidence."""
    from houseboat.accountability.constants import STATES, Decision, Visibility
    from houseboat.accountability.models import Demand, EvidenceLink, StatusChange
    from houseboat.accountability.services import state_of, with_status

    demands = list(
        with_status(
            Demand.objects.filter(campaign=campaign, draft=False).exclude(
                visibility=Visibility.PRIVATE
            )
        ).order_by("ref", "id")
    )
    changes = list(
        StatusChange.objects.filter(
            demand__in=demands,
            review__decision=Decision.APPROVED,
            happened_on__gte=period.start,
            happened_on__lte=period.end,
        )
        .select_related("demand")
        .order_by("happened_on", "pk")
    )
    evidence: dict[int, list[str]] = {}
    for link in EvidenceLink.objects.filter(change__in=changes).order_by("added_at", "pk"):
        quote = link.public_excerpt or link.excerpt
        evidence.setdefault(link.change_id, []).append(
            f"SHA-256 {link.sha256[:12]}…" + (f" “{quote[:160]}”" if quote else "")
        )
    states = Counter(state_of(d) for d in demands)
    section = Section(
        "policy",
        _("Policy change"),
        _(
            "The demands made of the authorities, where each stands now, and each change of "
            "status in the period that a second member reviewed, with its evidence."
        ),
        figures=[
            (_("Demands tracked"), len(demands)),
            (_("Changes of status in the period"), len(changes)),
        ],
    )
    section.tables.append(
        Table(
            "policy-demands",
            _("Where each demand stands"),
            [_("demand"), _("title"), _("now")],
            [[d.ref, d.title, str(STATES.get(state_of(d), state_of(d)))] for d in demands],
        )
    )
    section.tables.append(
        Table(
            "policy-changes",
            _("Changes of status, with their evidence"),
            [_("when"), _("demand"), _("new status"), _("why"), _("evidence")],
            [
                [
                    c.happened_on.isoformat(),
                    f"{c.demand.ref} {c.demand.title}".strip(),
                    str(STATES.get(c.verdict or c.progress, c.verdict or c.progress)),
                    c.rationale,
                    "; ".join(evidence.get(c.pk, [])) or _("none linked"),
                ]
                for c in changes
            ],
        )
    )
    if demands:
        section.charts.append(
            bar_chart(
                "policy-states",
                _("Demands by status"),
                _("How many demands stand at each status now."),
                [(str(STATES.get(s, s)), n) for s, n in states.most_common()],
                rtl=period.rtl,
                label_heading=_("status"),
                value_heading=_("demands"),
            )
        )
    else:
        section.empty = _("No demand is tracked for this campaign yet.")
    return section


# --- safety, in aggregate only --------------------------------------------------------------------


def safety(campaign: Campaign, period: Period) -> Section:
    """Count alerts, cleaned media, blurred faces and takedowns; small counts suppressed."""
    from houseboat.publishing.models import Attachment, Takedown
    from houseboat.safety.constants import AlertKind
    from houseboat.safety.models import Alert, MediaRegions

    alerts = Alert.objects.filter(
        campaign=campaign, created_at__gte=period.since, created_at__lt=period.until
    )
    kinds: Counter = Counter()
    total_alerts = 0
    acknowledged = 0
    for kind_text, ack in alerts.values_list("kinds", "acknowledged_at"):
        total_alerts += 1
        acknowledged += ack is not None
        for kind in filter(None, (k.strip() for k in kind_text.split(","))):
            kinds[kind] += 1
    by_kind = suppression.group(
        [
            (str(AlertKind(k).label) if k in AlertKind.values else k, kinds.get(k, 0))
            for k in [*AlertKind.values, *sorted(set(kinds) - set(AlertKind.values))]
        ],
        total=total_alerts,
    )
    pictures = Attachment.objects.filter(
        post__campaign=campaign,
        post__created_at__gte=period.since,
        post__created_at__lt=period.until,
    )
    media = pictures.count()
    regions = MediaRegions.objects.filter(attachment__in=pictures)
    checked = regions.filter(faces_checked=True).count()
    blurred = sum(
        1
        for region_list in regions.values_list("regions", flat=True)
        for region in (region_list or [])
        if region.get("blur", True)
    )
    takedowns = Takedown.objects.filter(
        post__campaign=campaign, requested_at__gte=period.since, requested_at__lt=period.until
    ).count()
    media_rows = suppression.group(
        [
            (_("pictures and videos cleaned of metadata before posting"), media),
            (_("pictures checked for faces"), checked),
            (_("faces blurred"), blurred),
            (_("sent posts taken down"), takedowns),
        ]
    )
    section = Section(
        "safety",
        _("Safety, in aggregate"),
        _(
            "Counts only. A count from 1 to 4 is shown as “fewer than 5”, here and in the CSV "
            "annex, so no person can be singled out. A total is not shown when any count it adds "
            "up was hidden, since subtracting the others would reveal it. 0 and counts of 5 or "
            "more are shown as they are."
        ),
        figures=[
            # The same total as the table's: withheld with it (secondary suppression).
            (_("Alerts on harassment, threats and doxxing"), by_kind.total),
            (_("Alerts acknowledged by the team"), suppression.cell(acknowledged)),
        ],
    )
    section.tables.append(
        Table(
            "safety-alerts",
            _("Alerts by kind (an alert may be of several kinds)"),
            [_("kind"), _("alerts")],
            [[label, value] for label, value in by_kind.rows] + [[_("all alerts"), by_kind.total]],
        )
    )
    section.tables.append(
        Table(
            "safety-media",
            _("Media and posts"),
            [_("what"), _("how many")],
            [[label, value] for label, value in media_rows.rows],
        )
    )
    return section


SECTIONS: list[Callable[[Campaign, Period], Section]] = [
    outputs,
    reach,
    response,
    ladder,
    framing,
    outcomes,
    policy,
    safety,
]


def build(campaign: Campaign, period: Period) -> list[Section]:
    """Return every section of the report, in reading order."""
    return [make(campaign, period) for make in SECTIONS]
