"""The counter-narrative radar: the press and the social conversation on one issue, side by side.

An :class:`~houseboat.radar.models.IssueQuery` names the issue with keywords and
#hashtags in any language. A document is on the issue when one of them appears in it:
a keyword as whole words (case, width and accents ignored, as the archive's search
does), a #hashtag as that hashtag or as the word. The social side is the campaign's
archive (its items, matched in the database through the archive's full-text index
and its hashtag rows); the press side is the stories of the campaign's team (matched
here, in Python, over the period's stories: a team's press is thousands of stories a
month, its archive millions of posts).

A story's time is when it says it was published, or when houseboat first saw it if
it says nothing. Days are UTC days. The period is [start, end).

:func:`compare_records` is the whole comparison over plain records, so it can be
checked by hand. :func:`compare` reads the press's records, but has the archive's
database add up its side (:func:`social_summary`: one query of counts, and only the
texts whose words are counted), since an issue can hold hundreds of thousands of posts;
both meet in :func:`compare_summaries`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import regex
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import TruncDate
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houseboat.listening import entities
from houseboat.listening.language import UNDETERMINED, detect
from houseboat.radar.stats import Z_NOTABLE, log_odds, terms

PRESS, SOCIAL = "press", "social"
TOP_SOURCES = 10
TOP_LANGUAGES = 10
TOP_TERMS = 20
TOP_FIRSTS = 20  # hashtags and links whose first mention is shown
TOP_CROSSING = 50
# Words are counted in at most this many documents per side (evenly spaced in time):
# tokenising costs about 20 µs a post, and 50,000 posts give every word that matters.
MAX_TERM_DOCS = 50_000
# The archive's first posts on the issue come back with the sample, read in full: the
# first sighting of a word the sample saw early is found there without another query.
HEAD_DOCS = 5_000
SAID_TERMS = 3  # words quoted in the summary sentence
UNKNOWN_LANGUAGE = "und"
ID_BATCH = 5000
ROW_BATCH = 5000  # ids per IN (...) list, well under every database's limit
# Query parameters that only say who sent a reader, never which page it is.
TRACKING = regex.compile(r"^(utm_.*|fbclid|gclid|igshid|mc_cid|mc_eid|ref_src|s|t)$")
PHRASE_WORD = regex.compile(r"[\p{L}\p{N}]+")
MARKS = regex.compile(r"\p{Mn}+")
SPACELESS = regex.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)


# --- what a comparison is (the shared contract) -----------------------------------------


@dataclass(frozen=True)
class Day:
    date: date
    matched: int
    collected: int
    share: float


@dataclass(frozen=True)
class Share:
    name: str
    count: int
    share: float

    @property
    def code(self) -> str:  # a language's Share names it by its code
        return self.name

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Term:
    term: str
    z: float
    count: int
    first_seen: datetime | None


@dataclass(frozen=True)
class Side:
    name: str
    matched: int
    collected: int
    days: list[Day]
    top_sources: list[Share]
    languages: list[Share]
    distinctive: list[Term]
    first_mention: datetime | None
    first_mention_by: str
    words_from: int = 0  # documents whose words were counted (a sample past MAX_TERM_DOCS)

    @property
    def share(self) -> float:
        return self.matched / self.collected if self.collected else 0.0

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class Lead:
    side: str
    by: timedelta

    @property
    def says(self) -> str:
        """The lead in words ("9 hours")."""
        return how_long(self.by)


@dataclass(frozen=True)
class First:
    kind: str  # "term", "hashtag" or "link"
    value: str
    press_at: datetime | None
    social_at: datetime | None

    @property
    def lead(self) -> Lead | None:
        return lead_of(self.press_at, self.social_at)


@dataclass(frozen=True)
class Crossing:
    url: str
    first_side: str
    first_at: datetime
    other_at: datetime
    count_press: int
    count_social: int

    @property
    def gap(self) -> str:
        """How long the link took to cross, in words ("15 hours")."""
        return how_long(self.other_at - self.first_at)


@dataclass(frozen=True)
class Comparison:
    query: Any
    start: datetime
    end: datetime
    press: Side
    social: Side
    lead: Lead | None
    firsts: list[First]
    crossing_links: list[Crossing]
    sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Record:
    """One document on the issue, as the comparison needs it."""

    at: datetime
    source: str
    language: str = ""
    text: str = ""
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


# --- matching a document to the issue ----------------------------------------------------


def plain(text: str) -> str:
    """Return text as it is matched: NFKC, case folded, without accents or vowel marks."""
    folded = text.casefold()
    if folded.isascii():  # most texts: nothing to normalise or strip
        return folded
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    return MARKS.sub("", decomposed)


def phrase_of(term: str) -> str:
    """Return a query term as the words it matches ("#Vigil" -> "vigil"), or "" for none."""
    return " ".join(PHRASE_WORD.findall(plain(entities.strip_hash(term.strip()))))


def issue_phrases(query_terms: Iterable[str]) -> list[str]:
    """Return the distinct phrases an issue's terms match, in their order."""
    return entities.unique(p for p in (phrase_of(t) for t in query_terms or []) if p)


def on_issue(text: str, hashtags: Iterable[str], phrases: Sequence[str]) -> bool:
    """Tell whether a document's text or hashtags hold one of the phrases (whole words)."""
    flat = plain(text)
    tags = {phrase_of(tag) for tag in hashtags}
    # A phrase that is not even a substring cannot be whole words: most documents stop here.
    if not tags and not any(phrase.replace(" ", "") in flat.replace(" ", "") for phrase in phrases):
        return False
    words = " " + " ".join(PHRASE_WORD.findall(flat)) + " "
    for phrase in phrases:
        if phrase in tags or f" {phrase} " in words:
            return True
        if SPACELESS.search(phrase) and phrase in words:
            return True
    return False


def link_key(url: str) -> str:
    """Return the form under which two spellings of one web address count as one link.

    http and https, "www.", a trailing slash, the fragment and tracking parameters
    (utm_*, fbclid…) make no difference; the path and the other parameters do.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").casefold().removeprefix("www.")
    if not host:
        return url.strip()
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)
    ]
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")


def language_code(value: str) -> str:
    """Return a language as its ISO 639-1 code, or "und" when nobody could tell."""
    code = (value or "").split("-")[0].split("_")[0].strip().casefold()
    return UNKNOWN_LANGUAGE if not code or code in UNDETERMINED else code


# --- the comparison over plain records ---------------------------------------------------


def period_days(start: datetime, end: datetime) -> list[date]:
    """Return the UTC days the period [start, end) touches, oldest first."""
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def shares(counter: Counter[str], total: int, top: int) -> list[Share]:
    """Return the most common names with their count and share of total, ties by name."""
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [Share(name, count, count / total if total else 0.0) for name, count in ranked]


@dataclass
class Tally:
    """What one side's matched documents hold: terms, hashtags, links, with first times."""

    terms: Counter[str] = field(default_factory=Counter)
    first_term: dict[str, datetime] = field(default_factory=dict)
    hashtags: Counter[str] = field(default_factory=Counter)
    first_hashtag: dict[str, datetime] = field(default_factory=dict)
    links: Counter[str] = field(default_factory=Counter)  # by link_key, once per document
    first_link: dict[str, tuple[datetime, str]] = field(default_factory=dict)


@dataclass
class Summary:
    """One side's documents on the issue added up: what a Side is made from.

    Built from records in Python (:func:`summarise`) or by the archive's database
    (:func:`social_summary`); ``find_firsts`` finds the true first sighting of words
    when they were counted on a sample.
    """

    matched: int
    per_day: Counter[date]
    sources: Counter[str]  # at least every source that can be in the top TOP_SOURCES
    languages: Counter[str]
    first: tuple[datetime, str] | None  # the first document's time and source
    tally: Tally
    find_firsts: Callable[[Tally, Iterable[str]], None] = lambda counts, wanted: None
    # The first documents in full, (time, text, language), where only a sample was counted.
    head: list[tuple[datetime, str, str]] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return self.matched > MAX_TERM_DOCS


def count_words(counts: Tally, documents: Iterable[tuple[datetime, str, str]]) -> None:
    """Count the terms of (time, text, language) documents taken oldest first."""
    first = counts.first_term
    for at, text, language in documents:
        found = terms(text, language)
        counts.terms.update(found)
        for term in found:
            if term not in first:
                first[term] = at


def tally(records: Sequence[Record]) -> Tally:
    """Count the terms, hashtags and links of records sorted by time.

    Hashtags and links are counted in every record. Words are counted in at most
    MAX_TERM_DOCS records, evenly spaced in time, because tokenising is the radar's one
    cost that grows with the posts on the issue; the first sighting of each word that is
    then shown is looked up again in every record (:func:`exact_firsts`).
    """
    out = Tally()
    count_words(out, ((r.at, r.text, r.language) for r in sample(records)))
    for record in records:
        tags = record.hashtags or entities.hashtags(record.text)
        for tag in {"#" + entities.tag_key(t) for t in tags}:
            out.hashtags[tag] += 1
            out.first_hashtag.setdefault(tag, record.at)
        for key, url in {link_key(u): u for u in record.links if u}.items():
            out.links[key] += 1
            out.first_link.setdefault(key, (record.at, url))
    return out


def sample(records: Sequence[Record]) -> Sequence[Record]:
    """Return at most MAX_TERM_DOCS records, evenly spaced, first and order kept.

    Record n * len // MAX_TERM_DOCS for each n below MAX_TERM_DOCS, in whole numbers so
    that the archive's database picks the same posts (:data:`SAMPLED`).
    """
    total = len(records)
    if total <= MAX_TERM_DOCS:
        return records
    return [records[n * total // MAX_TERM_DOCS] for n in range(MAX_TERM_DOCS)]


def exact_firsts(records: Sequence[Record], counts: Tally, wanted: Iterable[str]) -> None:
    """Find the true first sighting of each wanted word when words were counted on a sample."""
    if len(records) <= MAX_TERM_DOCS:
        return
    folded: list[str] | None = None
    for term in wanted:
        if term.startswith("#"):
            if term in counts.first_hashtag:
                counts.first_term[term] = counts.first_hashtag[term]
            continue
        folded = folded or [plain(r.text) for r in records]
        needle = plain(term)
        for record, text in zip(records, folded, strict=True):
            if needle in text and term in terms(record.text, record.language):
                counts.first_term[term] = record.at
                break


def summarise(records: Sequence[Record]) -> Summary:
    """Add up records sorted by time."""
    counts = tally(records)
    return Summary(
        matched=len(records),
        per_day=Counter(r.at.astimezone(UTC).date() for r in records),
        sources=Counter(r.source for r in records),
        languages=Counter(language_code(r.language) for r in records),
        first=(records[0].at, records[0].source) if records else None,
        tally=counts,
        find_firsts=lambda counts, wanted: exact_firsts(records, counts, wanted),
    )


def side_of(
    name: str,
    summary: Summary,
    collected: Mapping[date, int],
    days: list[date],
    distinctive: list[Term],
) -> Side:
    per_day = summary.per_day
    day_rows = [
        Day(
            d,
            per_day[d],
            collected.get(d, 0),
            per_day[d] / collected[d] if collected.get(d) else 0.0,
        )
        for d in days
    ]
    matched = summary.matched
    first = summary.first
    return Side(
        name=name,
        matched=matched,
        collected=sum(collected.get(d, 0) for d in days),
        days=day_rows,
        top_sources=shares(summary.sources, matched, TOP_SOURCES),
        languages=shares(summary.languages, matched, TOP_LANGUAGES),
        distinctive=distinctive,
        first_mention=first[0] if first else None,
        first_mention_by=first[1] if first else "",
        words_from=min(matched, MAX_TERM_DOCS),
    )


def lead_of(press_at: datetime | None, social_at: datetime | None) -> Lead | None:
    """Return which side came first and by how long; None if either is missing or both tie."""
    if press_at is None or social_at is None or press_at == social_at:
        return None
    if press_at < social_at:
        return Lead(PRESS, social_at - press_at)
    return Lead(SOCIAL, press_at - social_at)


def distinctive_terms(press: Tally, social: Tally) -> tuple[list[Term], list[Term]]:
    """Return each side's most distinctive terms (z > 0 for that side), highest z first."""
    scored = log_odds(press.terms, social.terms)
    press_terms = [
        Term(s.term, s.z, s.count_a, press.first_term.get(s.term)) for s in scored if s.z > 0
    ][:TOP_TERMS]
    social_terms = sorted(
        (Term(s.term, -s.z, s.count_b, social.first_term.get(s.term)) for s in scored if s.z < 0),
        key=lambda t: (-t.z, t.term),
    )[:TOP_TERMS]
    return press_terms, social_terms


def earliest(*times: datetime | None) -> datetime:
    return min(t for t in times if t is not None)


def firsts_of(
    press: Tally, social: Tally, press_terms: list[Term], social_terms: list[Term]
) -> list[First]:
    """Return when each distinctive term, top hashtag and top link first came up on each side."""
    out: list[First] = []
    words = entities.unique(
        t.term for t in [*press_terms, *social_terms] if not t.term.startswith("#")
    )
    rows = [("term", w, press.first_term.get(w), social.first_term.get(w)) for w in words]
    tags = (press.hashtags + social.hashtags).most_common()
    tags.sort(key=lambda kv: (-kv[1], kv[0]))
    rows += [
        ("hashtag", t, press.first_hashtag.get(t), social.first_hashtag.get(t))
        for t, _count in tags[:TOP_FIRSTS]
    ]
    links = sorted((press.links + social.links).items(), key=lambda kv: (-kv[1], kv[0]))
    for key, _count in links[:TOP_FIRSTS]:
        p, s = press.first_link.get(key), social.first_link.get(key)
        url = min([x for x in (p, s) if x], key=lambda x: x[0])[1]
        rows.append(("link", url, p[0] if p else None, s[0] if s else None))
    for kind in ("term", "hashtag", "link"):
        mine = [r for r in rows if r[0] == kind]
        mine.sort(key=lambda r: (earliest(r[2], r[3]), r[1]))
        out += [First(*r) for r in mine]
    return out


def crossings(press: Tally, social: Tally) -> list[Crossing]:
    """Return the links both sides carried, who had each first, and how often each side did."""
    out = []
    for key in press.links.keys() & social.links.keys():
        (p_at, p_url), (s_at, s_url) = press.first_link[key], social.first_link[key]
        press_first = p_at <= s_at
        out.append(
            Crossing(
                url=p_url if press_first else s_url,
                first_side=PRESS if press_first else SOCIAL,
                first_at=p_at if press_first else s_at,
                other_at=s_at if press_first else p_at,
                count_press=press.links[key],
                count_social=social.links[key],
            )
        )
    out.sort(key=lambda c: (-(c.count_press + c.count_social), c.first_at, c.url))
    return out[:TOP_CROSSING]


def by_time(records: Iterable[Record]) -> list[Record]:
    """Return the records oldest first, a time without a zone read as UTC."""
    fixed = [r if r.at.tzinfo else replace(r, at=r.at.replace(tzinfo=UTC)) for r in records]
    return sorted(fixed, key=lambda r: r.at)


def compare_records(
    query: Any,
    start: datetime,
    end: datetime,
    *,
    press: Iterable[Record],
    social: Iterable[Record],
    press_collected: Mapping[date, int],
    social_collected: Mapping[date, int],
) -> Comparison:
    """Compare the press's and the archive's documents on the issue over [start, end)."""
    return compare_summaries(
        query,
        start,
        end,
        press=summarise(by_time(press)),
        social=summarise(by_time(social)),
        press_collected=press_collected,
        social_collected=social_collected,
    )


def compare_summaries(
    query: Any,
    start: datetime,
    end: datetime,
    *,
    press: Summary,
    social: Summary,
    press_collected: Mapping[date, int],
    social_collected: Mapping[date, int],
) -> Comparison:
    """Compare the two sides, each already added up, over [start, end)."""
    press_tally, social_tally = press.tally, social.tally
    press_terms, social_terms = distinctive_terms(press_tally, social_tally)
    if press.sampled or social.sampled:
        shown = [t.term for t in [*press_terms, *social_terms]]
        press.find_firsts(press_tally, shown)
        social.find_firsts(social_tally, shown)
        press_terms, social_terms = distinctive_terms(press_tally, social_tally)
    days = period_days(start, end)
    press_side = side_of(PRESS, press, press_collected, days, press_terms)
    social_side = side_of(SOCIAL, social, social_collected, days, social_terms)
    comparison = Comparison(
        query=query,
        start=start,
        end=end,
        press=press_side,
        social=social_side,
        lead=lead_of(press_side.first_mention, social_side.first_mention),
        firsts=firsts_of(press_tally, social_tally, press_terms, social_terms),
        crossing_links=crossings(press_tally, social_tally),
    )
    comparison.sentences.extend(sentences(comparison))
    return comparison


# --- plain words for an organiser --------------------------------------------------------


def count(n: int) -> str:
    """A whole number as the reader's language writes it (its grouping: 12,016 or 12 016)."""
    return formats.number_format(n, use_l10n=True, force_grouping=True)


def percent(share: float) -> str:
    """A share as a percentage with one decimal, in the reader's language (61.0% or 61,0 %)."""
    return _("%(value)s%%") % {"value": formats.number_format(share * 100, 1, use_l10n=True)}


def how_long(span: timedelta) -> str:
    """Say a duration the way a person would: "35 minutes", "9 hours", "3 days"."""
    minutes = round(span.total_seconds() / 60)
    if minutes < 60:
        minutes = max(minutes, 1)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    if hours < 48:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def listed(words: Sequence[str]) -> str:
    return ", ".join(words)


def volume_sentence(side: Side) -> str:
    values = {"n": count(side.matched), "total": count(side.collected), "pct": percent(side.share)}
    if side.name == PRESS:
        if not side.collected:
            return _(
                "The press feeds brought in no story in this period: add press sources, or "
                "choose a period they cover."
            )
        return (
            _(
                "The press: %(n)s stories on the issue, %(pct)s of the %(total)s stories its feeds brought in."
            )
            % values
        )
    if not side.collected:
        return _("The archive holds no post from this period.")
    return (
        _("Social media: %(n)s posts on the issue, %(pct)s of the %(total)s posts in the archive.")
        % values
    )


def words_sentence(press: Side, social: Side) -> str | None:
    if not press.matched or not social.matched:
        return None
    said = [t.term for t in press.distinctive if t.z >= Z_NOTABLE][:SAID_TERMS]
    heard = [t.term for t in social.distinctive if t.z >= Z_NOTABLE][:SAID_TERMS]
    if said and heard:
        return _("The press says %(press)s; people say %(social)s.") % {
            "press": listed(said),
            "social": listed(heard),
        }
    if said:
        return _("The press says %(press)s; people use no word of their own that stands out.") % {
            "press": listed(said)
        }
    if heard:
        return _("People say %(social)s; the press uses no word of its own that stands out.") % {
            "social": listed(heard)
        }
    return _(
        "No word sets one side apart with confidence: too few documents yet, or both tell "
        "it in the same words."
    )


def lead_sentence(comparison: Comparison) -> str:
    press, social = comparison.press, comparison.social
    if not press.matched and not social.matched:
        return _("Neither the press nor social media mentioned the issue in this period.")
    if not press.matched:
        return _(
            "Only social media named it: first %(who)s, %(when)s. The press has not, in this period."
        ) % {
            "who": social.first_mention_by,
            "when": when(social.first_mention),
        }
    if not social.matched:
        return _(
            "Only the press named it: first %(who)s, %(when)s. Social media has not, in this period."
        ) % {
            "who": press.first_mention_by,
            "when": when(press.first_mention),
        }
    lead = comparison.lead
    if lead is None:
        return _("The press and social media named it at the same moment, %(when)s.") % {
            "when": when(press.first_mention)
        }
    first, other = (press, social) if lead.side == PRESS else (social, press)
    values = {
        "by": how_long(lead.by),
        "who": first.first_mention_by,
        "when": when(first.first_mention),
        "other": other.first_mention_by,
        "other_when": when(other.first_mention),
    }
    if lead.side == SOCIAL:
        return (
            _(
                "Social media named it %(by)s earlier: %(who)s, %(when)s; the press followed with %(other)s, %(other_when)s."
            )
            % values
        )
    return (
        _(
            "The press named it %(by)s earlier: %(who)s, %(when)s; social media followed with %(other)s, %(other_when)s."
        )
        % values
    )


def links_sentence(comparison: Comparison) -> str | None:
    if not comparison.press.matched or not comparison.social.matched:
        return None
    crossing = comparison.crossing_links
    if not crossing:
        return _("No link crossed from one side to the other.")
    from_press = sum(1 for c in crossing if c.first_side == PRESS)
    return ngettext(
        "%(n)d link crossed from one side to the other; %(press)d appeared in the press first.",
        "%(n)d links crossed from one side to the other; %(press)d appeared in the press first.",
        len(crossing),
    ) % {"n": len(crossing), "press": from_press}


def sentences(comparison: Comparison) -> list[str]:
    """Return the comparison in a few plain sentences, the headline first."""
    press, social = comparison.press, comparison.social
    if not press.matched and not social.matched:
        return [
            _(
                "Nothing on this issue between %(start)s and %(end)s: no story and no post matched %(terms)s."
            )
            % {
                "start": when(comparison.start),
                "end": when(comparison.end),
                "terms": listed(list(getattr(comparison.query, "terms", []) or [])),
            },
            volume_sentence(press),
            volume_sentence(social),
        ]
    said = [
        words_sentence(press, social),
        lead_sentence(comparison),
        volume_sentence(press),
        volume_sentence(social),
        links_sentence(comparison),
        *(sample_sentence(side) for side in (press, social)),
    ]
    return [s for s in said if s]


def sample_sentence(side: Side) -> str | None:
    if side.words_from >= side.matched:
        return None
    values = {"n": count(side.words_from), "total": count(side.matched)}
    if side.name == PRESS:
        return (
            _(
                "Words of the press were counted in %(n)s of its %(total)s stories, evenly spread "
                "over the period; every other number counts them all."
            )
            % values
        )
    return (
        _(
            "Words of social media were counted in %(n)s of its %(total)s posts, evenly spread "
            "over the period; every other number counts them all."
        )
        % values
    )


# --- the tables, for CSV -----------------------------------------------------------------


def iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


def comparison_tables(comparison: Comparison) -> dict[str, tuple[list[str], list[list]]]:
    """Return the comparison's numbers as named tables (header, rows), for CSV."""
    press, social = comparison.press, comparison.social
    both = (press, social)
    lead = comparison.lead
    return {
        "summary": (
            [
                "side",
                "matched",
                "collected",
                "share",
                "first_mention",
                "first_mention_by",
                "lead_hours",
            ],
            [
                [
                    s.name,
                    s.matched,
                    s.collected,
                    round(s.share, 6),
                    iso(s.first_mention),
                    s.first_mention_by,
                    round(lead.by.total_seconds() / 3600, 2)
                    if lead and lead.side == s.name
                    else "",
                ]
                for s in both
            ],
        ),
        "volume": (
            [
                "date",
                "press_matched",
                "press_collected",
                "press_share",
                "social_matched",
                "social_collected",
                "social_share",
            ],
            [
                [
                    p.date.isoformat(),
                    p.matched,
                    p.collected,
                    round(p.share, 6),
                    s.matched,
                    s.collected,
                    round(s.share, 6),
                ]
                for p, s in zip(press.days, social.days, strict=True)
            ],
        ),
        "sources": (
            ["side", "source", "count", "share"],
            [[s.name, x.name, x.count, round(x.share, 6)] for s in both for x in s.top_sources],
        ),
        "languages": (
            ["side", "language", "count", "share"],
            [[s.name, x.name, x.count, round(x.share, 6)] for s in both for x in s.languages],
        ),
        "distinctive": (
            ["side", "term", "z", "count", "first_seen"],
            [
                [s.name, t.term, round(t.z, 4), t.count, iso(t.first_seen)]
                for s in both
                for t in s.distinctive
            ],
        ),
        "firsts": (
            ["kind", "value", "press_first_at", "social_first_at", "first_side", "lead_hours"],
            [
                [
                    f.kind,
                    f.value,
                    iso(f.press_at),
                    iso(f.social_at),
                    f.lead.side if f.lead else "",
                    round(f.lead.by.total_seconds() / 3600, 2) if f.lead else "",
                ]
                for f in comparison.firsts
            ],
        ),
        "crossing_links": (
            [
                "url",
                "first_side",
                "first_at",
                "other_at",
                "lead_hours",
                "count_press",
                "count_social",
            ],
            [
                [
                    c.url,
                    c.first_side,
                    iso(c.first_at),
                    iso(c.other_at),
                    round((c.other_at - c.first_at).total_seconds() / 3600, 2),
                    c.count_press,
                    c.count_social,
                ]
                for c in comparison.crossing_links
            ],
        ),
    }


# A spreadsheet runs a cell that starts with one of these as a formula; a source's name or
# a post's word is never to be run (as in accountability/export.py).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return a cell as written: numbers as they are, text a spreadsheet cannot run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_csv(header: list[str], rows: list[list]) -> str:
    """Return one table as CSV text, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def tables_zip(tables: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """Return every table as NAME.csv in one ZIP file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in tables.items():
            archive.writestr(f"{name}.csv", table_csv(header, rows))
    return buffer.getvalue()


# --- fetching the records -----------------------------------------------------------------


def social_matched(campaign, start: datetime, end: datetime, query_terms: Sequence[str]):
    """Return the campaign's archive items of the period on the issue, as a queryset."""
    from houseboat.listening.models import Item, ItemHashtag
    from houseboat.listening.search import ParsedQuery, text_filter

    phrases = issue_phrases(query_terms)
    base = Item.objects.filter(campaign=campaign, created_at__gte=start, created_at__lt=end)
    if not phrases:
        return base.none()
    tags = {entities.tag_key(t) for t in query_terms if t.strip()} | {
        p.replace(" ", "") for p in phrases
    }
    tagged = ItemHashtag.objects.filter(
        campaign=campaign, tag__in=tags, created_at__gte=start, created_at__lt=end
    ).values("item_id")
    return text_filter(base, ParsedQuery(must=(tuple(phrases),))) | base.filter(id__in=tagged)


def social_records(
    campaign, start: datetime, end: datetime, query_terms: Sequence[str]
) -> list[Record]:
    """Return the campaign's archive items of the period on the issue, oldest first."""
    rows = (
        social_matched(campaign, start, end, query_terms)
        .order_by("created_at", "id")
        .values_list(
            "created_at", "network", "author__handle", "language", "text", "hashtags", "links"
        )
    )
    return [
        Record(
            at=as_time(at),
            source=f"@{handle} ({network})" if handle else network,
            # The archive guessed each post's language when it stored it, and keeps a
            # platform's "und" as the platform's word (listening/language.py).
            language=language or "",
            text=text,
            hashtags=tuple(t for t in as_list(tags) if isinstance(t, str)),
            links=tuple(u for u in as_list(links) if isinstance(u, str)),
        )
        for at, network, handle, language, text, tags, links in raw_rows(rows)
    ]


# --- the archive's side, added up by its database -----------------------------------------

# What differs between the two databases, in the one query below: a UTC day as
# YYYY-MM-DD, and a JSON list's string elements as rows.
SQL_PARTS = {
    "sqlite": {
        "day": "substr(m.created_at, 1, 10)",
        "elements": "json_each(m.links) j",
        "url": "j.value",
        "is_text": "j.type = 'text'",
        "no_time": "CAST(NULL AS TEXT)",
    },
    "postgresql": {
        "day": "to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "elements": "jsonb_array_elements(m.links) j(v)",
        "url": "(j.v #>> '{}')",
        "is_text": "jsonb_typeof(j.v) = 'string'",
        "no_time": "CAST(NULL AS timestamptz)",
    },
}
# Post p (0 first, of `total` in time order) is in the sample when some n < MAX_TERM_DOCS
# has n * total // MAX_TERM_DOCS = p, as in sample(); the smallest n that could is
# ceil(p * MAX / total). Whole numbers on both databases.
SAMPLED = (
    "s.total <= %s OR ((s.p * %s + s.total - 1) / s.total < %s"
    " AND ((s.p * %s + s.total - 1) / s.total) * s.total / %s = s.p)"
)


def summary_sql(matched_sql: str, vendor: str) -> str:
    """Return the one query that adds up the matched posts, one kind of row per UNION part.

    Each row is (kind, name, other, n, at, body). The matched posts are a common table
    expression named twice or more, so both databases compute the match once.
    """
    part = SQL_PARTS[vendor]
    none = "CAST(NULL AS TEXT)"
    return f"""
WITH m (id, created_at, author_id, network, language, links) AS ({matched_sql})
SELECT 'day' AS kind, {part["day"]} AS name, {none} AS other, COUNT(*) AS n,
       {part["no_time"]} AS at, {none} AS body
  FROM m GROUP BY {part["day"]}
UNION ALL
SELECT 'language', m.language, {none}, COUNT(*), {part["no_time"]}, {none}
  FROM m GROUP BY m.language
UNION ALL
SELECT 'source', s.handle, s.network, s.n, {part["no_time"]}, {none} FROM (
  SELECT COALESCE(a.handle, '') AS handle, b.network AS network,
         CAST(SUM(b.n) AS BIGINT) AS n, RANK() OVER (ORDER BY SUM(b.n) DESC) AS r
    FROM (SELECT author_id, network, COUNT(*) AS n FROM m GROUP BY author_id, network) b
    LEFT JOIN listening_author a ON a.id = b.author_id
   GROUP BY COALESCE(a.handle, ''), b.network
) s WHERE s.r <= %s
UNION ALL
SELECT 'first', COALESCE(a.handle, ''), f.network, 1, f.created_at, {none} FROM (
  SELECT author_id, network, created_at FROM m ORDER BY created_at, id LIMIT 1
) f LEFT JOIN listening_author a ON a.id = f.author_id
UNION ALL
SELECT 'hashtag', h.tag, {none}, COUNT(*), MIN(m.created_at), {none}
  FROM m JOIN listening_itemhashtag h ON h.item_id = m.id GROUP BY h.tag
UNION ALL
SELECT 'link', {part["url"]}, {none}, COUNT(DISTINCT m.id), MIN(m.created_at), {none}
  FROM m, {part["elements"]}
 WHERE {part["is_text"]} AND {part["url"]} <> '' GROUP BY {part["url"]}
UNION ALL
SELECT 'sample', i.language, {none}, s.p, i.created_at, i.text FROM (
  SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) - 1 AS p, COUNT(*) OVER () AS total
    FROM m
) s JOIN listening_item i ON i.id = s.id WHERE s.p < %s OR {SAMPLED}
"""  # noqa: S608 (constant text; the values travel as parameters)


def source_name(handle: str | None, network: str) -> str:
    return f"@{handle} ({network})" if handle else network


def social_summary(campaign, start: datetime, end: datetime, query_terms: Sequence[str]) -> Summary:
    """Add up the campaign's archive items of the period on the issue, in its database.

    One query: counts per day, language, source and hashtag, per link the posts that
    carry it, the first post, and the texts of the posts whose words are counted (all
    of them, or an even sample of MAX_TERM_DOCS). Only those texts come into Python.
    """
    if connection.vendor not in SQL_PARTS:  # another database: the records, added up in Python
        return summarise(social_records(campaign, start, end, query_terms))
    out = Summary(
        matched=0, per_day=Counter(), sources=Counter(), languages=Counter(), first=None,
        tally=Tally(),
    )  # fmt: skip
    if not issue_phrases(query_terms):
        return out
    matched = social_matched(campaign, start, end, query_terms)
    sql, params = (
        matched.order_by()
        .values_list("id", "created_at", "author_id", "network", "language", "links")
        .query.sql_with_params()
    )
    cap = MAX_TERM_DOCS
    params = [*params, TOP_SOURCES, HEAD_DOCS, cap, cap, cap, cap, cap]
    with connection.cursor() as cursor:
        cursor.execute(summary_sql(sql, connection.vendor), params)
        rows = cursor.fetchall()
    add_up(out, rows)
    if out.sampled:
        out.find_firsts = lambda counts, wanted: archive_firsts(matched, out, counts, wanted)
    return out


def sampled_positions(total: int) -> range | set[int]:
    """Return the positions, in time order, of the posts whose words are counted."""
    if total <= MAX_TERM_DOCS:
        return range(total)
    return {n * total // MAX_TERM_DOCS for n in range(MAX_TERM_DOCS)}


def add_up(out: Summary, rows: Iterable[tuple]) -> None:
    """Fill a Summary from the rows of :func:`summary_sql`."""
    counts = out.tally
    spellings: dict[str, list[tuple[datetime, str, int]]] = {}
    read = []
    for kind, name, other, number, at, body in rows:
        n = int(number)  # PostgreSQL's SUM() is a numeric, whatever it adds up
        if kind == "day":
            out.per_day[date.fromisoformat(name)] = n
            out.matched += n
        elif kind == "language":
            out.languages[language_code(name)] += n
        elif kind == "source":
            out.sources[source_name(name, other)] += n
        elif kind == "first":
            out.first = (as_time(at), source_name(name, other))
        elif kind == "hashtag":
            counts.hashtags["#" + name] = n
            counts.first_hashtag["#" + name] = as_time(at)
        elif kind == "link":
            spellings.setdefault(link_key(name), []).append((as_time(at), name, n))
        else:
            read.append((n, as_time(at), body or "", name or ""))
    read.sort()
    picked = sampled_positions(out.matched)
    count_words(counts, ((at, text, lang) for p, at, text, lang in read if p in picked))
    out.head = [(at, text, lang) for p, at, text, lang in read if p < HEAD_DOCS]
    for key, found in spellings.items():
        # Two spellings of one page in one post count twice: the one approximation here.
        counts.links[key] = sum(n for _at, _url, n in found)
        at, url, _n = min(found)
        counts.first_link[key] = (at, url)


def archive_firsts(matched, summary: Summary, counts: Tally, wanted: Iterable[str]) -> None:
    """Find the first matched post that holds each wanted word, oldest first.

    The first posts (head) are read first. A word the sample saw was first seen at the
    latest in that sampled post, so the posts up to it are read in time order until every
    such word is found: exact, by terms() itself. A word the sample never saw is looked
    for in the posts the word index gives for it (terms() still decides; a word written
    only in compatibility forms, full-width letters, escapes the index there, as it
    escapes the issue's own matching).
    """
    from houseboat.listening.search import ParsedQuery, text_filter

    words = []
    for term in wanted:
        if term.startswith("#"):
            if term in counts.first_hashtag:
                counts.first_term[term] = counts.first_hashtag[term]
        elif term not in words:
            words.append(term)
    head = summary.head
    left = first_in(head, counts, words)
    if not left or len(head) >= summary.matched:
        return
    if seen := [w for w in left if w in counts.first_term]:
        bound = max(counts.first_term[w] for w in seen)
        after = head[-1][0] if head else None
        posts = matched.filter(created_at__lte=bound)
        # The head holds every post up to its last one's time (ties included, read again).
        posts = posts.filter(created_at__gte=after) if after else posts
        first_of(posts, counts, seen)
    if unseen := [w for w in left if w not in counts.first_term]:
        # The word itself, not phrase_of(): PostgreSQL's index keeps accents.
        first_of(text_filter(matched, ParsedQuery(must=(tuple(unseen),))), counts, unseen)


def first_in(
    documents: Iterable[tuple[datetime, str, str]], counts: Tally, words: list[str]
) -> set[str]:
    """Set the first sighting of the words found in documents (oldest first); return the rest."""
    left = set(words)
    for at, text, language in documents:
        if not left:
            break
        found = left.intersection(terms(text, language))
        for word in found:
            counts.first_term[word] = at
        left -= found
    return left


def first_of(candidates, counts: Tally, words: list[str]) -> None:
    """Read candidates oldest first until each word's first sighting is found."""
    left = set(words)
    rows = candidates.order_by("created_at", "id").values_list("created_at", "language", "text")
    for at, language, text in raw_rows(rows):
        found = left.intersection(terms(text, language or ""))
        for word in found:
            counts.first_term[word] = as_time(at)
        left -= found
        if not left:
            return


def raw_rows(queryset) -> Iterator[tuple]:
    """Yield a values_list queryset's rows as the database driver gives them.

    Django's per-row converters (a Python datetime parse and a json.loads per JSON field)
    cost more than the rest of the radar on a big issue; :func:`as_time` and
    :func:`as_list` do the same work in C (fromisoformat, orjson).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(ROW_BATCH):
            yield from rows


def as_time(value: Any) -> datetime:
    """Return a stored moment as an aware UTC datetime (SQLite gives text, PostgreSQL a datetime)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_list(value: Any) -> list:
    """Return a stored JSON list (text on SQLite, decoded on PostgreSQL), [] for anything else."""
    if isinstance(value, str | bytes | bytearray | memoryview):
        try:
            value = orjson.loads(bytes(value) if isinstance(value, memoryview) else value)
        except orjson.JSONDecodeError:
            return []
    return value if isinstance(value, list) else []


def social_collected(campaign, start: datetime, end: datetime) -> Counter[date]:
    """Return how many items the archive holds per UTC day, from its hourly roll-up."""
    from houseboat.listening.models import HourlyCount

    rows = (
        HourlyCount.objects.filter(campaign=campaign, hashtag="", hour__gte=start, hour__lt=end)
        .annotate(day=TruncDate("hour", tzinfo=UTC))
        .values("day")
        .annotate(n=Sum("count"))
    )
    return Counter({row["day"]: row["n"] for row in rows})


def story_period(start: datetime, end: datetime) -> Q:
    # Two range conditions rather than Coalesce(), so (team, published_at) serves the first.
    return Q(published_at__gte=start, published_at__lt=end) | Q(
        published_at__isnull=True, first_seen_at__gte=start, first_seen_at__lt=end
    )


def press_collected(team, start: datetime, end: datetime) -> Counter[date]:
    """Return how many stories the team's feeds brought in per UTC day of the period.

    One count per day, each a range of the (team, published_at) index, and the few
    undated stories by when they were first seen: grouping by a day computed from every
    row would call a Python function per row on SQLite.
    """
    from houseboat.radar.models import Story

    stories = Story.objects.filter(team=team)
    counted: Counter[date] = Counter()
    for day in period_days(start, end):
        low, high = day_bounds(day, start, end)
        counted[day] = stories.filter(published_at__gte=low, published_at__lt=high).count()
    undated = stories.filter(
        published_at__isnull=True, first_seen_at__gte=start, first_seen_at__lt=end
    ).values_list("first_seen_at", flat=True)
    counted.update(seen.astimezone(UTC).date() for seen in undated)
    return +counted


def day_bounds(day: date, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Return the part of [start, end) that falls on a UTC day."""
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    return max(start, midnight), min(end, midnight + timedelta(days=1))


def press_records(team, start: datetime, end: datetime, query_terms: Sequence[str]) -> list[Record]:
    """Return the team's stories of the period on the issue."""
    from houseboat.radar.models import Story

    phrases = issue_phrases(query_terms)
    if not phrases:
        return []
    stories = Story.objects.filter(story_period(start, end), team=team)
    # Only the words are read for every story; times and sources only for those on the issue.
    matched = [
        pk
        for pk, title, summary in raw_rows(stories.values_list("id", "title", "summary"))
        if on_issue(f"{title}\n{summary}", (), phrases)
    ]
    found = []
    for at in range(0, len(matched), ID_BATCH):
        rows = Story.objects.filter(id__in=matched[at : at + ID_BATCH]).values_list(
            "published_at", "first_seen_at", "source__name", "language", "source__language",
            "title", "summary", "url",
        )  # fmt: skip
        for published, seen, source, language, source_language, title, summary, url in rows:
            text = f"{title}\n{summary}"
            found.append(
                Record(
                    at=published or seen,
                    source=source,
                    language=language or source_language or detect(text),
                    text=text,
                    hashtags=tuple(entities.hashtags(text)),
                    links=(url, *entities.links(summary)),
                )
            )
    return found


def compare(query, start: datetime, end: datetime) -> Comparison:
    """Compare the press and the archive on an issue query over [start, end)."""
    campaign = query.campaign
    terms_ = list(query.terms or [])
    return compare_summaries(
        query,
        start,
        end,
        press=summarise(by_time(press_records(campaign.team, start, end, terms_))),
        social=social_summary(campaign, start, end, terms_),
        press_collected=press_collected(campaign.team, start, end),
        social_collected=social_collected(campaign, start, end),
    )


__all__ = [
    "Comparison",
    "Crossing",
    "Day",
    "First",
    "Lead",
    "Record",
    "Share",
    "Side",
    "Term",
    "compare",
    "compare_records",
    "comparison_tables",
    "table_csv",
    "tables_zip",
]
