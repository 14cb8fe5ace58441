"""What other apps (and this app's pages and commands) call to work with supporters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.models import Team
from houseboat.organizing.constants import (
    DEFAULT_LADDER,
    HANDLE_NETWORKS,
    ContactChannel,
    SupporterSource,
)
from houseboat.organizing.models import (
    Consent,
    LadderRung,
    Response,
    Supporter,
    SupporterHandle,
)

MAX_NAME = 120
MAX_HANDLE = 200
MAX_TAG = 40

# Anything that looks like a map position: "51.5, -0.12", "geo:", plus codes, DMS.
GPS_PATTERNS = [
    re.compile(r"-?\d{1,3}\.\d{2,}\s*[,; ]\s*-?\d{1,3}\.\d{2,}"),
    re.compile(r"\bgeo:", re.IGNORECASE),
    re.compile(r"\b[23456789CFGHJMPQRVWX]{4,8}\+[23456789CFGHJMPQRVWX]{2,3}\b"),
    re.compile("\\d{1,3}\\s*\u00b0\\s*\\d{1,2}\\s*['\u2032]"),
    re.compile(r"maps\.(google|apple)|openstreetmap\.org|goo\.gl/maps", re.IGNORECASE),
]
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
TELEGRAM_ID_RE = re.compile(r"^-?\d{3,20}$")


class SupporterError(ValueError):
    """Input a person must fix; the message says what and how."""


def digest(kind: str, text: str) -> str:
    """Return a keyed digest of normalised text, to look a supporter up without storing it."""
    normal = unicodedata.normalize("NFKC", text).casefold().strip()
    return salted_hmac(f"houseboat.organizing.{kind}", normal, algorithm="sha256").hexdigest()


def clean_text(value: str, *, what: str, limit: int) -> str:
    """Strip control characters and refuse over-long values."""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip()
    if len(text) > limit:
        raise SupporterError(_("%(what)s is longer than %(limit)s characters.") % locals())
    return text


def clean_area(value: str) -> str:
    """Return the area as words; refuse anything that looks like a map position."""
    area = clean_text(value, what=gettext_lazy("The area"), limit=120)
    if any(pattern.search(area) for pattern in GPS_PATTERNS):
        raise SupporterError(
            _(
                "The area looks like a map position. Write a neighbourhood or town in words: "
                "houseboat never stores where a person is."
            )
        )
    return area


def clean_tags(values: Iterable[str]) -> list[str]:
    tags = []
    for value in values:
        tag = clean_text(value, what=gettext_lazy("A tag"), limit=MAX_TAG).lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


# Names people write for the networks, as houseboat calls them.
NETWORK_ALIASES = {"twitter": "x", "e-mail": "email", "mail": "email", "fb": "facebook"}


def clean_handle(network: str, handle: str) -> tuple[str, str]:
    """Return (network, handle) checked: a known network and a handle that fits it."""
    network = network.strip().lower()
    network = NETWORK_ALIASES.get(network, network)
    if network not in HANDLE_NETWORKS:
        raise SupporterError(
            _("“%(network)s” is not a network houseboat knows. Use one of: %(known)s.")
            % {"network": network, "known": ", ".join(HANDLE_NETWORKS)}
        )
    handle = clean_text(handle, what=gettext_lazy("A handle"), limit=MAX_HANDLE)
    if not handle:
        raise SupporterError(_("The %(network)s handle is empty.") % {"network": network})
    if network == "email" and not EMAIL_RE.match(handle):
        raise SupporterError(_("“%(handle)s” is not an e-mail address.") % {"handle": handle})
    if network == "whatsapp":
        digits = re.sub(r"[\s().-]", "", handle).removeprefix("+")
        if not digits.isdigit() or not 8 <= len(digits) <= 15:
            raise SupporterError(
                _(
                    "A WhatsApp handle is a phone number with its country code, like +44 7700 900123."
                )
            )
        handle = "+" + digits
    return network, handle


def parse_handle(text: str) -> tuple[str, str]:
    """Read NETWORK:HANDLE."""
    if ":" not in text:
        raise SupporterError(
            _("“%(text)s” needs a network before the handle, like x:@name or email:a@b.org.")
            % {"text": text}
        )
    network, handle = text.split(":", 1)
    return clean_handle(network, handle)


def parse_consent(text: str) -> str:
    channel = text.strip().lower().replace("e-mail", "email")
    if channel not in ContactChannel.values:
        raise SupporterError(
            _("“%(text)s” is not a channel houseboat can write on. Use one of: %(known)s.")
            % {"text": text, "known": ", ".join(ContactChannel.values)}
        )
    return channel


@dataclass
class NewSupporter:
    """A supporter as read from a form, a file or a command, not yet saved."""

    name: str
    handles: dict[str, str] = field(default_factory=dict)
    consents: list[str] = field(default_factory=list)
    language: str = ""
    area: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""

    def checked(self) -> NewSupporter:
        """Return a cleaned copy, or raise SupporterError saying what is wrong."""
        name = clean_text(self.name, what=gettext_lazy("The name"), limit=MAX_NAME)
        if not name:
            raise SupporterError(
                _("A supporter needs a display name: a nickname is enough, and safer.")
            )
        handles = dict(clean_handle(n, h) for n, h in self.handles.items())
        consents = []
        for channel in self.consents:
            channel = parse_consent(channel)
            if channel not in handles:
                raise SupporterError(
                    _("Consent to %(channel)s needs a %(channel)s handle to write to.")
                    % {"channel": channel}
                )
            if channel not in consents:
                consents.append(channel)
        language = clean_text(self.language, what=gettext_lazy("The language"), limit=16).lower()
        if language and not re.fullmatch(r"[a-z]{2,3}([-_][a-z0-9]{2,8})?", language):
            raise SupporterError(
                _("“%(language)s” is not a language code like en, fr or pt-br.") % locals()
            )
        return NewSupporter(
            name=name,
            handles=handles,
            consents=consents,
            language=language,
            area=clean_area(self.area),
            tags=clean_tags(self.tags),
            notes=clean_text(self.notes, what=gettext_lazy("The notes"), limit=2000),
        )


def build_supporter(
    team: Team, new: NewSupporter, *, source: str, campaign=None, confirmed: bool = True
) -> Supporter:
    """Return an unsaved Supporter from checked input."""
    now = timezone.now()
    return Supporter(
        team=team,
        personal={
            "name": new.name,
            "handles": new.handles,
            "email": new.handles.get("email", ""),
            "notes": new.notes,
        },
        name_digest=digest("name", new.name),
        language=new.language,
        area=new.area,
        tags=new.tags,
        source=source,
        campaign=campaign,
        confirmed_at=now if confirmed else None,
        rung_reached_at=now,
        created_at=now,
    )


def handle_rows(supporter: Supporter, handles: Mapping[str, str]) -> list[SupporterHandle]:
    return [
        SupporterHandle(
            team_id=supporter.team_id,
            supporter=supporter,
            network=network,
            digest=digest(f"handle.{network}", handle),
        )
        for network, handle in handles.items()
    ]


def consent_rows(
    supporter: Supporter, channels: Iterable[str], *, source: str, wording: str, confirmed: bool
) -> list[Consent]:
    now = timezone.now()
    return [
        Consent(
            supporter=supporter,
            channel=channel,
            given_at=now,
            source=source[:200],
            wording=wording,
            confirmed_at=now if confirmed else None,
        )
        for channel in channels
    ]


def find_by_handle(team: Team, network: str, handle: str) -> Supporter | None:
    row = (
        SupporterHandle.objects.filter(
            team=team, network=network, digest=digest(f"handle.{network}", handle)
        )
        .select_related("supporter")
        .first()
    )
    return row.supporter if row else None


def taken_handles(team: Team, new: NewSupporter) -> list[str]:
    """Return the handles of ``new`` that already belong to a supporter of the team."""
    return [
        f"{network}:{handle}"
        for network, handle in new.handles.items()
        if find_by_handle(team, network, handle)
    ]


@transaction.atomic
def add_supporter(
    team: Team,
    new: NewSupporter,
    *,
    source: str,
    consent_source: str,
    wording: str = "",
    campaign=None,
    confirmed: bool = True,
) -> Supporter:
    """Check and save one supporter with their handles and consents."""
    new = new.checked()
    taken = taken_handles(team, new)
    if taken:
        raise SupporterError(
            _("Already a supporter: %(handles)s. Find them in the list instead.")
            % {"handles": ", ".join(taken)}
        )
    supporter = build_supporter(team, new, source=source, campaign=campaign, confirmed=confirmed)
    supporter.save()
    SupporterHandle.objects.bulk_create(handle_rows(supporter, new.handles))
    Consent.objects.bulk_create(
        consent_rows(
            supporter, new.consents, source=consent_source, wording=wording, confirmed=confirmed
        )
    )
    return supporter


def find_by_name(team: Team, name: str) -> QuerySet[Supporter]:
    return Supporter.objects.filter(team=team, name_digest=digest("name", name))


def active_consents(supporter: Supporter) -> set[str]:
    """Return the channels this supporter may be written to on now."""
    if supporter.unsubscribed_at or not supporter.confirmed_at:
        return set()
    # .all() so that a prefetch of the consents (a list of many supporters) is used.
    return {consent.channel for consent in supporter.consents.all() if consent.is_active}


@transaction.atomic
def unsubscribe(supporter: Supporter, *, when: datetime | None = None) -> None:
    """Stop every message to this supporter on every channel; the record says when."""
    when = when or timezone.now()
    Supporter.objects.filter(pk=supporter.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=when
    )
    supporter.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=when)
    from houseboat.organizing.constants import MessageState
    from houseboat.organizing.models import FollowUpMessage

    FollowUpMessage.objects.filter(supporter=supporter, state=MessageState.QUEUED).update(
        state=MessageState.SKIPPED, error="The supporter unsubscribed."
    )
    supporter.unsubscribed_at = supporter.unsubscribed_at or when


@transaction.atomic
def record_consent(
    supporter: Supporter, channel: str, *, handle: str, source: str, wording: str
) -> Consent:
    """Record a consent given after the supporter was added, with the handle it needs."""
    if supporter.unsubscribed_at is not None:
        raise SupporterError(
            _("This person asked for no more messages. Add them again only if they ask to.")
        )
    channel = parse_consent(channel)
    handles = supporter.handles
    if handle.strip():
        network, handle = clean_handle(channel, handle)
        owner = find_by_handle(supporter.team, network, handle)
        if owner is not None and owner.pk != supporter.pk:
            raise SupporterError(
                _("Another supporter already has this %(n)s handle.") % {"n": network}
            )
        handles[network] = handle
        personal = dict(supporter.personal or {})
        personal["handles"] = handles
        if network == "email":
            personal["email"] = handle
        supporter.personal = personal
        supporter.save(update_fields=["personal"])
        SupporterHandle.objects.filter(supporter=supporter, network=network).delete()
        SupporterHandle.objects.bulk_create(handle_rows(supporter, {network: handle}))
    elif channel not in handles:
        raise SupporterError(
            _("Give their %(channel)s handle: houseboat has none to write to.")
            % {"channel": channel}
        )
    now = timezone.now()
    if supporter.confirmed_at is None:
        Supporter.objects.filter(pk=supporter.pk).update(confirmed_at=now)
        supporter.confirmed_at = now
    return Consent.objects.create(
        supporter=supporter,
        channel=channel,
        given_at=now,
        source=clean_text(source, what=gettext_lazy("Where it was given"), limit=200),
        wording=clean_text(wording, what=gettext_lazy("The wording"), limit=2000),
        confirmed_at=now,
    )


# --- the ladder ----------------------------------------------------------------------


def ladder(team: Team) -> list[LadderRung]:
    """Return the team's rungs, creating the default ladder the first time."""
    rungs = list(team.ladder_rungs.all())
    if rungs:
        return rungs
    with transaction.atomic():
        LadderRung.objects.bulk_create(
            [
                LadderRung(
                    team=team,
                    position=position,
                    name=str(name),
                    kinds=[str(kind) for kind in kinds],
                    min_count=count,
                )
                for position, (name, kinds, count) in enumerate(DEFAULT_LADDER)
            ],
            ignore_conflicts=True,
        )
    return list(team.ladder_rungs.all())


def rung_for(counts: Mapping[str, int], rungs: list[LadderRung]) -> int:
    """Return the highest rung whose rule the response counts satisfy."""
    reached = 0
    for rung in rungs:
        if rung.position == 0 or not rung.kinds:
            continue
        if sum(counts.get(kind, 0) for kind in rung.kinds) >= max(rung.min_count, 1):
            reached = max(reached, rung.position)
    return reached


def refresh_rung(supporter: Supporter, rungs: list[LadderRung] | None = None) -> int:
    """Recompute a supporter's rung from all their responses; note when it went up."""
    rungs = rungs or ladder(supporter.team)
    rows = (
        Response.objects.filter(supporter=supporter)
        .values("kind")
        .annotate(n=Count("id"), last=Max("created_at"))
    )
    counts = {row["kind"]: row["n"] for row in rows}
    last = max((row["last"] for row in rows), default=None)
    rung = rung_for(counts, rungs)
    fields = {"last_active_at": last}
    # Compare with the stored rung, not this object's: it may be an old copy.
    stored = Supporter.objects.filter(pk=supporter.pk).values_list("rung", flat=True).first()
    if rung != stored:
        fields.update(rung=rung, rung_reached_at=last or timezone.now())
    Supporter.objects.filter(pk=supporter.pk).update(**fields)
    for name, value in fields.items():
        setattr(supporter, name, value)
    return rung


def record_response(supporter: Supporter | None, **fields) -> Response:
    """Save a response and move its supporter on the ladder."""
    action = fields["action"]
    response = Response.objects.create(
        supporter=supporter, campaign_id=action.campaign_id, **fields
    )
    if supporter is not None:
        refresh_rung(supporter)
    return response


def source_label(source: str) -> str:
    return str(dict(SupporterSource.choices).get(source, source))


@transaction.atomic
def set_ladder(team: Team, rungs: list[tuple[str, list[str], int]]) -> None:
    """Replace the team's ladder and work every supporter's rung out again."""
    LadderRung.objects.filter(team=team).delete()
    LadderRung.objects.bulk_create(
        [
            LadderRung(team=team, position=i, name=name, kinds=kinds, min_count=count)
            for i, (name, kinds, count) in enumerate(rungs)
        ]
    )
    fresh = list(team.ladder_rungs.all())
    for supporter in Supporter.objects.filter(team=team).only("id", "team_id", "rung"):
        refresh_rung(supporter, fresh)


def attention(team: Team, *, now: datetime | None = None) -> dict:
    """What needs a person today: stalled supporters, RSVPs to confirm, today's check-ins.

    Two queries, as it shows on the team's home page: one count of the stalled (the
    top rung read in a subquery) and one pass over the open, coming events.
    """
    from datetime import timedelta

    from django.db.models import Q, Subquery, Value
    from django.db.models.functions import Coalesce

    from houseboat.organizing.constants import DEFAULT_STALLED_DAYS, ActionKind, ResponseKind
    from houseboat.organizing.models import CallToAction

    now = now or timezone.now()
    top = (
        LadderRung.objects.filter(team=team)
        .values("team")
        .annotate(top=Max("position"))
        .values("top")
    )
    stalled = Supporter.objects.filter(
        team=team,
        rung__lt=Coalesce(Subquery(top), Value(len(DEFAULT_LADDER) - 1)),
        rung_reached_at__lt=now - timedelta(days=DEFAULT_STALLED_DAYS),
        unsubscribed_at__isnull=True,
    ).count()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    rsvp = Q(responses__kind=ResponseKind.RSVP)
    events = list(
        CallToAction.objects.filter(campaign__team=team, kind=ActionKind.EVENT, is_open=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__gte=midnight))
        .annotate(
            rsvps=Count("responses", filter=rsvp),
            pending=Count("responses", filter=rsvp & Q(responses__confirmed_at__isnull=True)),
            attended=Count("responses", filter=Q(responses__kind=ResponseKind.ATTENDED)),
        )
        .order_by("starts_at")
    )
    return {
        "stalled": stalled,
        "stalled_days": DEFAULT_STALLED_DAYS,
        # Today's event counts until the day is over: people still arrive at the door.
        "rsvps_to_confirm": sum(e.pending for e in events),
        "events_today": [
            e for e in events if e.starts_at and timezone.localdate(e.starts_at) == today
        ],
    }
