"""The graphic media shield: which pictures are graphic, and how much each member has seen.

A picture or video is graphic when someone marked it (GraphicMark, by its
SHA-256, so the mark follows the file wherever it is shown: a column, the
inbox, the archive) or when the item it came with matches one of the team's
rules (a hashtag, a word, a listening column). Graphic media are shown
greyscale and blurred, videos muted, until a person chooses to see one
(``safety/graphic_media.html``). Each item a member reveals is counted once a
day; past the team's daily limit a break is suggested.

Exposure is counted per distinct item and day: opening the same picture twice
is not twice the harm, and a reload does not inflate the count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houseboat.safety.constants import GraphicRuleKind
from houseboat.safety.models import GraphicExposure, GraphicMark, GraphicRule, SafetySettings
from houseboat.safety.text import fold, phrase_pattern

if TYPE_CHECKING:
    from houseboat.core.models import Team, User

SHA256 = regex.compile(r"[0-9a-f]{64}")


def is_sha256(value: str) -> bool:
    return bool(SHA256.fullmatch(value or ""))


def graphic_hashes(team: Team, hashes: Iterable[str]) -> set[str]:
    """Return which of these media hashes the team has marked graphic (one query)."""
    wanted = {value.lower() for value in hashes if value}
    if not wanted:
        return set()
    return set(
        GraphicMark.objects.filter(team=team, media_sha256__in=wanted).values_list(
            "media_sha256", flat=True
        )
    )


def graphic_reasons(team: Team, hashes: Iterable[str]) -> dict[str, str]:
    """Return {hash: why it was marked} for those of these media the team marked (one query).

    A mark made by hand without a reason gives "marked graphic by a team member".
    """
    wanted = {value.lower() for value in hashes if value}
    if not wanted:
        return {}
    rows = GraphicMark.objects.filter(team=team, media_sha256__in=wanted).values_list(
        "media_sha256", "reason"
    )
    return {sha256: reason or _("marked graphic by a team member") for sha256, reason in rows}


def unmark_graphic(team: Team, sha256: str) -> bool:
    """Remove a team's mark on a picture or video; return False when there was none.

    Media of items a rule matches stay shielded: change the rule to change that.
    """
    deleted, _rows = GraphicMark.objects.filter(team=team, media_sha256=sha256.lower()).delete()
    return bool(deleted)


def mark_graphic(team: Team, sha256: str, *, by: User | None, reason: str = "") -> bool:
    """Mark a picture or video graphic; return False when it already was."""
    sha256 = sha256.lower()
    if not is_sha256(sha256):
        raise ValueError("a media hash is 64 hexadecimal characters")
    try:
        with transaction.atomic():
            GraphicMark.objects.create(
                team=team, media_sha256=sha256, marked_by=by, reason=reason[:200]
            )
    except IntegrityError:
        return False
    return True


# --- Rules --------------------------------------------------------------------------------------


@dataclass
class Rules:
    """A team's graphic rules, ready to test many items."""

    hashtags: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)
    keywords: list[tuple[str, regex.Pattern]] = field(default_factory=list)

    @classmethod
    def for_team(cls, team: Team) -> Rules:
        rules = cls()
        for kind, value in GraphicRule.objects.filter(team=team).values_list("kind", "value"):
            if kind == GraphicRuleKind.HASHTAG:
                rules.hashtags.add(fold(value.lstrip("#")))
            elif kind == GraphicRuleKind.COLUMN:
                rules.columns.add(fold(value))
            elif fold(value).strip():
                rules.keywords.append((value, regex.compile(phrase_pattern(fold(value)))))
        return rules

    def reason(self, *, text: str = "", hashtags: Sequence[str] = (), column: str = "") -> str:
        """Return why an item's media count as graphic under these rules, or ""."""
        if column and fold(column) in self.columns:
            return _("from the column “%(column)s”, marked graphic") % {"column": column}
        for tag in hashtags:
            if fold(tag.lstrip("#")) in self.hashtags:
                return _("tagged #%(tag)s, marked graphic") % {"tag": tag.lstrip("#")}
        folded = fold(text) if self.keywords and text else ""
        for value, pattern in self.keywords:
            if pattern.search(folded):
                return _("mentions “%(word)s”, marked graphic") % {"word": value}
        return ""


@dataclass(frozen=True)
class MediaRecord:
    """An incoming item's words and the hashes of its media, for the rules."""

    media_sha256: Sequence[str]
    text: str = ""
    hashtags: Sequence[str] = ()
    column: str = ""


def apply_graphic_rules(team: Team, records: Iterable[MediaRecord]) -> int:
    """Mark graphic the media of every record a team rule matches; return how many were new.

    For the listening side: call it with each batch of new items that carry media.
    """
    rules = Rules.for_team(team)
    if not (rules.hashtags or rules.columns or rules.keywords):
        return 0
    marks: dict[str, str] = {}
    for record in records:
        reason = rules.reason(text=record.text, hashtags=record.hashtags, column=record.column)
        if reason:
            for sha256 in record.media_sha256:
                if is_sha256(sha256.lower()):
                    marks.setdefault(sha256.lower(), reason)
    known = graphic_hashes(team, marks)
    new = [
        GraphicMark(team=team, media_sha256=sha256, reason=reason[:200])
        for sha256, reason in marks.items()
        if sha256 not in known
    ]
    GraphicMark.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- Exposure -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """How many graphic items a member has chosen to see today, against the team's limit."""

    seen_today: int
    limit: int

    @property
    def take_a_break(self) -> bool:
        return bool(self.limit) and self.seen_today >= self.limit

    @property
    def message(self) -> str:
        return ngettext(
            "You have looked at %(count)d graphic item today. That is a lot to carry: "
            "take a break, step outside, talk to someone. The rest can wait.",
            "You have looked at %(count)d graphic items today. That is a lot to carry: "
            "take a break, step outside, talk to someone. The rest can wait.",
            self.seen_today,
        ) % {"count": self.seen_today}

    def as_json(self) -> dict:
        return {
            "seen_today": self.seen_today,
            "limit": self.limit,
            "take_a_break": self.take_a_break,
            "message": self.message if self.take_a_break else "",
        }


def exposure_today(team: Team, user: User) -> Exposure:
    """Return how many graphic items this member revealed today (the server's local day)."""
    seen = GraphicExposure.objects.filter(team=team, user=user, day=timezone.localdate()).count()
    return Exposure(seen, SafetySettings.for_team(team).graphic_daily_limit)


def record_reveal(team: Team, user: User, sha256: str) -> Exposure:
    """Count that a member chose to see a graphic item (once a day per item)."""
    GraphicExposure.objects.bulk_create(
        [
            GraphicExposure(
                team=team, user=user, day=timezone.localdate(), media_sha256=sha256.lower()
            )
        ],
        ignore_conflicts=True,
    )
    return exposure_today(team, user)
