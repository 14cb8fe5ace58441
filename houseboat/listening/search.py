"""Full-text search over a campaign's archive, with filters; one service for the UI and the CLI.

A query is read the way web search boxes read it, and never handed to the database
as syntax: words must all appear; ``"two words"`` must appear side by side; ``OR``
between words accepts either; ``-word`` (or ``NOT word``) leaves out items with it.
Each word or phrase becomes a quoted phrase for SQLite's FTS5, or a parameter of
``phraseto_tsquery`` on PostgreSQL, so unbalanced quotes, a lone ``-``, ``NEAR(``
or ``*`` are plain text, never a syntax error.

Both databases lower-case and split on anything that is not a letter or a digit,
without stemming (the archive is multilingual: 'simple' on PostgreSQL). SQLite also
ignores diacritics (é = e, Arabic short vowels); PostgreSQL's 'simple' does not.
Scripts written without spaces (Chinese, Japanese, Thai…) have no word boundaries
to split on, so a word or phrase in them is looked for inside the text, through a
trigram index (FTS5 ``trigram`` on SQLite, ``pg_trgm`` on PostgreSQL; migration
0006). Results come newest first; the count stops at "more than 10,000".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

import regex
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from houseboat.campaigns.models import Campaign
from houseboat.listening import entities
from houseboat.listening.models import Author, Item, ItemHashtag

PAGE_SIZE = 25
# Counting every match of a common word costs more than showing the first page:
# past this many, the count says "more than".
COUNT_CAP = 10_000
MAX_QUERY_CHARS = 500
MAX_TERMS = 32
WORD = regex.compile(r"[\p{L}\p{N}]")
OPERATORS = {"OR", "AND", "NOT"}
# The scripts written without spaces, as in migration 0006: Thai and Lao, Myanmar,
# Khmer, kana, CJK ideographs, half-width katakana.
SPACELESS_CLASS = (
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
SPACELESS = regex.compile(SPACELESS_CLASS)


@dataclass(frozen=True)
class ParsedQuery:
    """What a query asks for: every clause (an OR of phrases) and none of the exclusions."""

    must: tuple[tuple[str, ...], ...] = ()
    must_not: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.must or self.must_not)


MINUS = ("-", None)  # a minus sign attached to the term after it


def split_terms(text: str) -> list[tuple[str, bool | None]]:
    """Split a query into (term, quoted) pairs; a leading "-" is a pair of its own (MINUS)."""
    terms: list[tuple[str, bool | None]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end  # an unbalanced quote runs to the end
            terms.append((text[i + 1 : end], True))
            i = end + 1
        elif char == "-" and i + 1 < n and not text[i + 1].isspace():
            terms.append(MINUS)
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != '"':
                i += 1
            terms.append((text[start:i], False))
    return terms


def parse_query(text: str) -> ParsedQuery:
    """Read a search box's text into clauses; anything that is not a word is dropped."""
    must: list[list[str]] = []
    must_not: list[str] = []
    negate = join_next = False
    for term, quoted in split_terms((text or "")[:MAX_QUERY_CHARS]):
        if (term, quoted) == MINUS or (quoted is False and term == "NOT"):
            negate = True
            continue
        if quoted is False and term == "OR":
            join_next = bool(must)
            continue
        if quoted is False and term == "AND":
            continue
        phrase = " ".join(term.split())
        if not WORD.search(phrase):
            negate = join_next = False
            continue
        if negate:
            must_not.append(phrase)
        elif join_next and must:
            must[-1].append(phrase)
        else:
            must.append([phrase])
        negate = join_next = False
        if len(must_not) + sum(map(len, must)) >= MAX_TERMS:
            break
    return ParsedQuery(tuple(tuple(clause) for clause in must), tuple(must_not))


# --- the two databases --------------------------------------------------------------------


def fts5_phrase(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def fts5_any(phrases: Sequence[str]) -> str:
    return "(" + " OR ".join(fts5_phrase(p) for p in phrases) + ")"


def fts5_expression(query: ParsedQuery) -> tuple[str, str]:
    """Return (what must match, what must not) as FTS5 query text; "" where there is none."""
    positive = " AND ".join(fts5_any(clause) for clause in query.must)
    negative = fts5_any(query.must_not) if query.must_not else ""
    return positive, negative


FTS5_IDS = "SELECT rowid FROM listening_item_fts WHERE listening_item_fts MATCH %s"


def raw(sql: str, params: Sequence[str], boolean: bool = False) -> RawSQL:
    """Wrap constant SQL text; the user's words only ever travel as parameters."""
    field = BooleanField() if boolean else None
    return RawSQL(sql, list(params), output_field=field)  # noqa: S611


def spaceless(phrase: str) -> bool:
    """Tell whether a phrase is written (partly) in a script without spaces between words."""
    return bool(SPACELESS.search(phrase))


TRIGRAM_IDS = "SELECT rowid FROM listening_item_trigram WHERE listening_item_trigram MATCH %s"


def like_pattern(phrase: str) -> str:
    """Return a LIKE pattern that finds the phrase anywhere ("\\" escapes % and _)."""
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def sqlite_phrase(phrase: str) -> Q:
    """Return the condition for one phrase: the word index, or the trigram index."""
    if not spaceless(phrase):
        return Q(id__in=raw(FTS5_IDS, [fts5_phrase(phrase)]))
    if len(phrase) >= 3:  # FTS5's trigram index finds three characters or more
        return Q(id__in=raw(TRIGRAM_IDS, [fts5_phrase(phrase)]))
    # One or two characters (自由, 和平): too short for trigrams, so a scan of the
    # indexed items only (those in these scripts).
    return Q(
        id__in=raw(
            "SELECT rowid FROM listening_item_trigram WHERE text LIKE %s ESCAPE '\\'",
            [like_pattern(phrase)],
        )
    )


def per_phrase_filter(
    items: QuerySet[Item], query: ParsedQuery, condition: Callable[[str], Q]
) -> QuerySet[Item]:
    """Filter phrase by phrase (each clause an OR, the clauses ANDed, exclusions NOT)."""
    for clause in query.must:
        any_of = Q()
        for phrase in clause:
            any_of |= condition(phrase)
        items = items.filter(any_of)
    for phrase in query.must_not:
        items = items.exclude(condition(phrase))
    return items


def has_spaceless(query: ParsedQuery) -> bool:
    return any(spaceless(p) for clause in query.must for p in clause) or any(
        spaceless(p) for p in query.must_not
    )


def sqlite_text_filter(items: QuerySet[Item], query: ParsedQuery) -> QuerySet[Item]:
    if has_spaceless(query):
        return per_phrase_filter(items, query, sqlite_phrase)
    positive, negative = fts5_expression(query)
    if positive:
        expression = f"({positive}) NOT {negative}" if negative else positive
        return items.filter(id__in=raw(FTS5_IDS, [expression]))
    return items.exclude(id__in=raw(FTS5_IDS, [negative]))


def pg_tsquery(phrases: Sequence[str]) -> tuple[str, list[str]]:
    sql = " || ".join(["phraseto_tsquery('simple', %s)"] * len(phrases))
    return f"({sql})", list(phrases)


POSTGRESQL_HAS_SCRIPT = f"listening_item.text ~ '{SPACELESS_CLASS}'"


def postgresql_phrase(phrase: str) -> Q:
    """Return the condition for one phrase: the stored tsvector, or the trigram index."""
    if not spaceless(phrase):
        sql, values = pg_tsquery([phrase])
        return Q(raw(f"listening_item.search_vector @@ {sql}", values, boolean=True))
    # The script test repeats the partial index's condition, so the planner may use it.
    return Q(
        raw(
            f"{POSTGRESQL_HAS_SCRIPT} AND listening_item.text LIKE %s",
            [like_pattern(phrase)],
            boolean=True,
        )
    )


def postgresql_text_filter(items: QuerySet[Item], query: ParsedQuery) -> QuerySet[Item]:
    if has_spaceless(query):
        return per_phrase_filter(items, query, postgresql_phrase)
    # The tsvector stored by migration 0006, with its GIN index.
    vector = "listening_item.search_vector"
    parts, params = [], []
    for clause in query.must:
        sql, values = pg_tsquery(clause)
        parts.append(sql)
        params += values
    if query.must_not:
        sql, values = pg_tsquery(query.must_not)
        if parts:
            parts.append(f"!!{sql}")
            params += values
        else:
            return items.exclude(raw(f"{vector} @@ {sql}", values, boolean=True))
    condition = raw(f"{vector} @@ ({' && '.join(parts)})", params, boolean=True)
    return items.filter(condition)


def text_filter(items: QuerySet[Item], query: ParsedQuery) -> QuerySet[Item]:
    """Keep the items whose text answers the query, on whichever database this is."""
    if not query:
        return items
    if connection.vendor == "sqlite":
        return sqlite_text_filter(items, query)
    if connection.vendor == "postgresql":
        return postgresql_text_filter(items, query)
    # Another database: a slow but correct fallback (words as substrings).
    for clause in query.must:
        any_of = Q()
        for phrase in clause:
            any_of |= Q(text__icontains=phrase)
        items = items.filter(any_of)
    for phrase in query.must_not:
        items = items.exclude(text__icontains=phrase)
    return items


# --- the service --------------------------------------------------------------------------


# On PostgreSQL, when the planner expects this many times the cap, the count is not
# taken: its estimates for a word come from the statistics of the stored tsvector.
ESTIMATE_MARGIN = 3


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP (``capped`` says it went past)."""

    capped = False

    @cached_property
    def count(self) -> int:
        if planned_rows(self.object_list) > ESTIMATE_MARGIN * COUNT_CAP:
            self.capped = True
            return COUNT_CAP
        found = self.object_list[: COUNT_CAP + 1].count()
        self.capped = found > COUNT_CAP
        return min(found, COUNT_CAP)


def planned_rows(items: QuerySet[Item]) -> float:
    """Return how many rows PostgreSQL's planner expects a query to match (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0
    sql, params = items.order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


@dataclass
class SearchResults:
    """One page of results, the query as understood, and a notice when it could not run."""

    page: Page
    query: ParsedQuery
    notice: str = ""
    filters: dict[str, object] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        return list(self.page.object_list)

    @property
    def total(self) -> int:
        """How many items match, up to COUNT_CAP (see ``capped``)."""
        return self.page.paginator.count

    @property
    def capped(self) -> bool:
        """Say whether more than COUNT_CAP items match (``total`` then stops there)."""
        return bool(getattr(self.page.paginator, "capped", False))


def start_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered(
    campaign: Campaign,
    query: ParsedQuery,
    *,
    network: str | None = None,
    author: str | None = None,
    hashtag: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    has_media: bool | None = None,
    language: str | None = None,
) -> QuerySet[Item]:
    """Return the campaign's items that match the query and every filter given, newest first."""
    items = Item.objects.filter(campaign=campaign)
    if network:
        items = items.filter(network=network)
    if author:
        name = author.strip().lstrip("@")
        items = items.filter(
            author__in=Author.objects.filter(Q(handle__iexact=name) | Q(remote_id=name))
        )
    if hashtag and entities.tag_key(hashtag.strip()):
        tagged = ItemHashtag.objects.filter(
            campaign=campaign, tag=entities.tag_key(hashtag.strip())
        )
        items = items.filter(id__in=tagged.values("item_id"))
    if since:
        items = items.filter(created_at__gte=start_of(since))
    if isinstance(until, datetime):
        items = items.filter(created_at__lte=start_of(until))
    elif until:
        # A day means the whole of that day.
        items = items.filter(created_at__lt=start_of(until) + timedelta(days=1))
    if has_media is not None:
        items = items.filter(has_media=has_media)
    if language:
        items = items.filter(language=language.strip().lower())
    items = text_filter(items, query)
    return (
        items.select_related("author")
        .defer("raw")
        .order_by(F("created_at").desc(nulls_last=True), "-id")
    )


def search(
    campaign: Campaign,
    query: str = "",
    *,
    network: str | None = None,
    author: str | None = None,
    hashtag: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    has_media: bool | None = None,
    language: str | None = None,
    page: int | str = 1,
    page_size: int = PAGE_SIZE,
) -> SearchResults:
    """Search a campaign's archive; an empty query lists every item that passes the filters."""
    parsed = parse_query(query)
    filters = {
        "network": network,
        "author": author,
        "hashtag": hashtag,
        "since": since,
        "until": until,
        "has_media": has_media,
        "language": language,
    }
    items = filtered(campaign, parsed, **filters)  # type: ignore[arg-type]
    paginator = CappedPaginator(items, page_size)
    try:
        # A savepoint, so a failed search leaves the caller's transaction usable.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Enough memory that a common word's bitmap stays exact (no lossy pages
                # to check again row by row); for this search's transaction only.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL work_mem = '32MB'")
            result = paginator.get_page(page)
            result.object_list = list(result.object_list)
    except DatabaseError:
        empty = Paginator(Item.objects.none(), page_size).get_page(1)
        return SearchResults(
            empty,
            parsed,
            notice="The search could not be run as written. Try plain words, without symbols.",
            filters=filters,
        )
    notice = ""
    if query.strip() and not parsed:
        notice = "The search box held no words to look for, so every item is listed."
    return SearchResults(result, parsed, notice=notice, filters=filters)
