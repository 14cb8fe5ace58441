"""Harassment and threat alerts on incoming items: word lists, doxxing, explanations.

Every incoming item's text is folded (see text.py: case, accents, Arabic vowel
marks and letter variants, tatweel, invisible characters, repeated letters)
and matched against:

- the built-in lists in ``wordlists/<language>.txt`` (threats, slurs, the cues
  that introduce an address or a phone number, and the cues of reported
  speech; see ``wordlists/README.md``), and the team's own terms (AlertTerm);
- the team members' own phone numbers, addresses and other details, kept
  encrypted (ProtectedDetail): any of them in someone else's post is doxxing;
- a phone number or a street address next to a threat, a slur or a cue such as
  "lives at".

Reported speech is a decision, not an accident: a threat phrase in the same
sentence as "told her", "threatened to", "قالوا له" or "le dijeron" is news
about a threat ("Police told her: we know where you live") and raises no
alert. A person who wants to evade the lists can write the same way; slurs and
doxxing fire whatever surrounds them. Third-person reports ("they threatened
to kill him") match nothing, because the lists hold direct, second-person
threats.

The archive's alert step (listening/alerting.py, in the worker) calls
``raise_alerts`` with each batch of newly stored items; the Alerts page lists what
was raised, with each match explained.
"""

# ruff: noqa: RUF001 -- words of many scripts are the point here

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Protocol

import regex
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from houseboat.safety.constants import AlertKind, ProtectedKind, Severity
from houseboat.safety.patterns import find_addresses, find_phones
from houseboat.safety.text import ascii_digits, fold, fold_mapped, phrase_pattern

if TYPE_CHECKING:
    from houseboat.campaigns.models import Campaign
    from houseboat.core.models import Team

CUE = "doxxing-cue"
REPORTED = "reported"
SECTIONS = {AlertKind.THREAT, AlertKind.SLUR, CUE, REPORTED}
SEVERITY = {AlertKind.THREAT: Severity.HIGH, AlertKind.DOXXING: Severity.HIGH}
EXCERPT_CONTEXT = 50
SENTENCE_END = regex.compile(r"[.!?؟۔\n]+")
# Phone numbers are compared by their last digits, so +20 10..., 0020 10... and 010...
# are the same number.
PHONE_DIGITS_COMPARED = 9
# Words that say what kind of street an address is on; the name and the number matter.
STREET_WORDS = frozenset(
    fold(
        " ".join(
            (
                "street st road rd avenue ave lane ln boulevard blvd drive way place close square",
                "calle c avenida av avda paseo plaza rua carrera cra n nº no numero número",
                "rue bd allee allée impasse quai chemin strasse straße str weg gasse",
                "sokak sokagi caddesi cad sk mahallesi mah bulvari no",
                "شارع ش طريق حارة رقم عمارة خیابان خيابان کوچه كوچه پلاک بلوار کوی",
                "jalan jln jl lorong lrg gang gg persiaran lebuh taman nombor nomor rt rw",
                "gali galli number गली नंबर नम्बर नं",
            )
        )
    ).split()
)
# Words that name a unit in a building, not a street ("Flat 3", "House No. 12", "मकान
# नंबर 12"): not part of what is looked for, and a part with one is not the street.
UNIT_WORDS = frozenset(
    fold("flat apt apartment house h plot makan makaan daire मकान फ्लैट प्लॉट").split()
)


@dataclass(frozen=True)
class Term:
    """One word or phrase of a list."""

    kind: str  # AlertKind, or CUE / REPORTED
    text: str
    language: str  # "" for every language
    team: bool = False  # added by the team, not shipped

    @property
    def phrase(self) -> bool:
        return len(self.text.split()) > 1


@dataclass(frozen=True)
class Protected:
    """A team member's detail, decrypted for matching only."""

    kind: str
    label: str
    value: str


# Where a match comes from, which decides how it is explained.
FROM_LIST, FROM_TEAM, FROM_PROTECTED, FROM_CONTEXT = "list", "team", "protected", "context"
# A volume spike (listening/spikes.py), not a matched text.
FROM_SPIKE = "spike"


@dataclass(frozen=True)
class AlertMatch:
    """Why an item raised an alert: what matched, where from, explained in a sentence.

    ``source`` is "list" (shipped), "team" (AlertTerm), "protected" (a member's
    detail; ``term`` is its label, ``detail`` its kind) or "context" (a phone
    number or address, ``detail``, next to the threat, slur or cue ``term``).
    """

    kind: str
    term: str
    severity: str
    source: str
    span: tuple[int, int] | None = None
    excerpt: str = ""
    language: str = ""
    detail: str = ""

    @property
    def explanation(self) -> str:
        return explain(self.as_json())

    def as_json(self) -> dict:
        data = asdict(self)
        data["span"] = list(self.span) if self.span else None
        return data


def explain(match: dict) -> str:
    """Explain a stored match in the current language ("matched the threat phrase ...")."""
    source, term, kind = match.get("source"), match.get("term", ""), match.get("kind")
    language = match.get("language", "")
    if source == FROM_SPIKE:
        return _(
            "possible pile-on: %(what)s had %(count)s posts in the hour from %(hour)s UTC, "
            "against a usual %(usual)s (the median hour of the 7 days before)"
        ) % {
            "what": term,
            "count": match.get("count", "?"),
            "hour": match.get("hour", "?"),
            "usual": match.get("usual", "?"),
        }
    if source == FROM_PROTECTED:
        # Never the detail's label ("Amina phone"): viewers read alerts, and the label is
        # as secret as the detail (older alerts may still store it in ``term``).
        return _(
            "contains a %(kind)s on the team's protected list: "
            "someone is publishing a team member's details"
        ) % {"kind": _protected_kind_label(match.get("detail", ""))}
    if source == FROM_CONTEXT:
        what, beside = (match.get("detail") or "phone,cue").split(",")
        what = _("a phone number") if what == "phone" else _("a street address")
        if beside == "threat":
            return _("publishes %(what)s next to a threat or slur (“%(context)s”)") % {
                "what": what,
                "context": term,
            }
        return _("publishes %(what)s after “%(context)s”") % {"what": what, "context": term}
    if source == FROM_TEAM:
        where = (
            _("the team's list, %(language)s") % {"language": language_name(language)}
            if language
            else _("the team's list")
        )
    else:
        where = _("%(language)s list") % {"language": language_name(language)}
    what = {
        AlertKind.THREAT: _("the threat phrase"),
        AlertKind.SLUR: _("the slur"),
        AlertKind.DOXXING: _("the doxxing term"),
    }.get(kind, _("the term"))
    return _("matched %(what)s “%(term)s” (%(where)s)") % {
        "what": what,
        "term": term,
        "where": where,
    }


def _protected_kind_label(kind: str) -> str:
    try:
        return str(ProtectedKind(kind).label)
    except ValueError:
        return kind


@dataclass
class Evaluation:
    """The alert matches of one text, and the threats let through as reported speech."""

    matches: list[AlertMatch] = field(default_factory=list)
    reported: list[AlertMatch] = field(default_factory=list)


# --- The lists ------------------------------------------------------------------------------


@cache
def builtin_terms() -> tuple[Term, ...]:
    """Return the terms of every shipped list in wordlists/."""
    terms: list[Term] = []
    folder = importlib.resources.files("houseboat.safety") / "wordlists"
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".txt"):
            terms += parse_list(entry.read_text(encoding="utf-8"), entry.name[: -len(".txt")])
    return tuple(distinct(terms))


def distinct(terms: Iterable[Term]) -> list[Term]:
    """Drop terms that fold to one already listed (أيامك and ايامك are one word)."""
    seen, kept = set(), []
    for term in terms:
        key = (term.language, term.kind, fold(term.text))
        if key not in seen:
            seen.add(key)
            kept.append(term)
    return kept


def parse_list(text: str, language: str) -> list[Term]:
    """Read one list file: ``[section]`` headers, one term per line, ``#`` comments."""
    terms, kind = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1].strip()
            if kind not in SECTIONS:
                raise ValueError(f"{language}.txt line {number}: unknown section [{kind}]")
            continue
        if kind is None:
            raise ValueError(f"{language}.txt line {number}: a term before any [section]")
        terms.append(Term(kind, line, language))
    return terms


def language_key(code: str | None) -> str:
    """Return the base language of a code: "ar-EG" and "AR" are "ar"."""
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


# --- Matching -------------------------------------------------------------------------------

LOOKALIKES = {
    "a": "a4@",
    "b": "b8",
    "e": "e3€",
    "i": "i1!|",
    "l": "l1|",
    "o": "o0",
    "s": "s5$",
    "t": "t7+",
}
# Every look-alike as the one letter it stands for (1 and l both as i), for the skeleton.
SKELETON = str.maketrans({ch: letter for letter, chars in LOOKALIKES.items() for ch in chars})
RUNS = regex.compile(r"(.)\1+", regex.DOTALL)


def letter_pattern(ch: str) -> str:
    """Return the pattern for one letter of a term: its look-alikes, repeated or not."""
    if ch == "*":
        return r"\w*"
    if ch in LOOKALIKES:
        return "[" + regex.escape(LOOKALIKES[ch]) + "]+"
    if ch.isalpha():
        return regex.escape(ch) + "+"
    return regex.escape(ch)


def term_pattern(term: str) -> str:
    """Return the regular expression of a list term, matched against folded text."""
    return phrase_pattern(fold(term), letter=letter_pattern)


def skeleton(folded: str) -> str:
    """Return folded text with look-alikes as letters and runs of a character as one.

    Whatever a term's pattern matches, the skeleton of the match contains the
    skeleton of each of the term's words, so a word's skeleton missing from a
    text's skeleton rules the term out without running its pattern.
    """
    text = folded.translate(SKELETON)
    return RUNS.sub(r"\1", text.replace("l", "i"))


def anchor(term: str) -> str:
    """Return the skeleton of the term's most telling word: its longest."""
    words = [skeleton(word.replace("*", "")) for word in fold(term).split()]
    return max(words, key=len)


class Matcher:
    """The lists and protected details of one team, compiled once for many items.

    Matching runs in two steps, because a pattern per term on every item would be
    slow (about a millisecond an item with the shipped lists): a substring test of
    each term's anchor word on the item's skeleton, then the full pattern of the
    few terms whose anchor is there.
    """

    def __init__(self, terms: Sequence[Term], protected: Sequence[Protected] = ()) -> None:
        self.terms = list(terms)
        self.protected = list(protected)
        self.languages = {term.language for term in self.terms if term.language}
        self.anchors = [anchor(term.text) for term in self.terms]
        self._index: dict[str, dict[str, list[tuple[str, list[int]]]]] = {}
        self._patterns: dict[int, regex.Pattern] = {}

    @classmethod
    def for_team(cls, team: Team | None) -> Matcher:
        """Return the matcher of the shipped lists plus the team's terms and details."""
        if team is None:
            return cls(builtin_terms())
        from houseboat.safety.models import AlertTerm, ProtectedDetail

        team_terms = [
            Term(kind, term, language_key(language), team=True)
            for kind, term, language in AlertTerm.objects.filter(team=team).values_list(
                "kind", "term", "language"
            )
        ]
        protected = [
            Protected(detail.kind, detail.label, detail.value)
            for detail in ProtectedDetail.objects.filter(team=team)
        ]
        return cls(distinct([*builtin_terms(), *team_terms]), protected)

    def applies(self, term: Term, language: str) -> bool:
        """Tell whether a term applies to an item in this language (see wordlists/README.md)."""
        return language not in self.languages or term.language in ("", language) or term.phrase

    def index(self, language: str) -> dict[str, list[tuple[str, list[int]]]]:
        """Return the anchors of the terms that apply to this language, by their first two letters.

        Each entry is (anchor, term numbers); anchors shorter than two letters are under "".
        """
        if language not in self._index:
            by_anchor: dict[str, list[int]] = {}
            for number, term in enumerate(self.terms):
                if self.applies(term, language):
                    by_anchor.setdefault(self.anchors[number], []).append(number)
            by_start: dict[str, list[tuple[str, list[int]]]] = {}
            for word, numbers in by_anchor.items():
                by_start.setdefault(word[:2] if len(word) > 1 else "", []).append((word, numbers))
            self._index[language] = by_start
        return self._index[language]

    def pattern(self, number: int) -> regex.Pattern:
        if number not in self._patterns:
            self._patterns[number] = regex.compile(term_pattern(self.terms[number].text))
        return self._patterns[number]

    def candidates(self, folded: str, language: str) -> list[int]:
        """Return the numbers of the terms whose anchor word is in the text, in list order.

        Only the anchors that start with a pair of letters of the text are tried: with
        every offered language's phrases in play, most anchors are in another script.
        """
        bones = skeleton(folded)
        index = self.index(language)
        starts = {bones[i : i + 2] for i in range(len(bones) - 1)} & index.keys()
        found = [
            n
            for start in (*starts, "")
            for word, numbers in index.get(start, ())
            if word in bones
            for n in numbers
        ]
        return sorted(found)

    def evaluate(self, text: str, language: str = "") -> Evaluation:
        """Return the alert matches of a text, and the threats taken as reported speech."""
        result = Evaluation()
        if not text or not text.strip():
            return result
        language = language_key(language)
        quick = fold(text)
        numbers = [n for n in self.candidates(quick, language) if self.pattern(n).search(quick)]
        if numbers:
            folded = fold_mapped(text)
            hits = sorted(
                (
                    (self.terms[number], match.start(), match.end())
                    for number in numbers
                    for match in self.pattern(number).finditer(folded.text)
                ),
                key=lambda hit: hit[1:],
            )
            self._explain_hits(text, folded, hits, result)
        result.matches += self._protected_matches(text)
        return result

    # -- the explanations

    def _explain_hits(self, text, folded, hits, result: Evaluation) -> None:
        reported = [(start, end) for term, start, end in hits if term.kind == REPORTED]
        sentences = _sentence_spans(folded.text)
        cue = None
        seen: set[tuple[str, int, int]] = set()
        for term, start, end in hits:
            if term.kind == REPORTED or (term.kind, start, end) in seen:
                continue
            seen.add((term.kind, start, end))
            if term.kind == CUE:
                cue = cue or (term, start, end)
                continue
            match = self._list_match(text, folded.span(start, end), term)
            if term.kind == AlertKind.THREAT and _same_sentence(sentences, start, reported):
                result.reported.append(match)
            else:
                result.matches.append(match)
        strong = [m for m in result.matches if m.kind in (AlertKind.THREAT, AlertKind.SLUR)]
        if strong or cue:
            context = strong[0].term if strong else cue[0].text
            result.matches += _doxxing_next_to(text, context, bool(strong))

    def _list_match(self, text: str, span: tuple[int, int], term: Term) -> AlertMatch:
        return AlertMatch(
            kind=term.kind,
            term=term.text,
            severity=SEVERITY.get(term.kind, Severity.MEDIUM),
            source=FROM_TEAM if term.team else FROM_LIST,
            span=span,
            excerpt=excerpt(text, span, mask=term.kind == AlertKind.DOXXING),
            language=term.language,
        )

    def _protected_matches(self, text: str) -> list[AlertMatch]:
        found = []
        for detail in self.protected:
            span = find_protected(detail, text)
            if span is None:
                continue
            found.append(
                AlertMatch(
                    kind=AlertKind.DOXXING,
                    term="",  # not the label: it is kept encrypted, and erased by a purge
                    severity=Severity.HIGH,
                    source=FROM_PROTECTED,
                    span=span,
                    excerpt=excerpt(text, span, mask=True),
                    detail=detail.kind,
                )
            )
        return found


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for stop in SENTENCE_END.finditer(text):
        spans.append((start, stop.end()))
        start = stop.end()
    spans.append((start, len(text)))
    return spans


def _same_sentence(sentences, position: int, others: list[tuple[int, int]]) -> bool:
    sentence = next((s for s in sentences if s[0] <= position < s[1]), None)
    return sentence is not None and any(sentence[0] <= start < sentence[1] for start, _ in others)


def _doxxing_next_to(text: str, context: str, is_threat: bool) -> list[AlertMatch]:
    """Return a doxxing match for a phone number or address published next to a threat or cue."""
    found = [("phone", f) for f in find_phones(text)] + [
        ("address", f) for f in find_addresses(text)
    ]
    if not found:
        return []
    what, first = found[0]
    span = (first.start, first.end)
    return [
        AlertMatch(
            kind=AlertKind.DOXXING,
            term=context,
            severity=Severity.HIGH,
            source=FROM_CONTEXT,
            span=span,
            excerpt=excerpt(text, span, mask=True),
            detail=f"{what},{'threat' if is_threat else 'cue'}",
        )
    ]


# --- Protected details -------------------------------------------------------------------------


def find_protected(detail: Protected, text: str) -> tuple[int, int] | None:
    """Return where a protected detail appears in a text, or None."""
    if detail.kind == ProtectedKind.PHONE:
        return _find_phone_digits(detail.value, text)
    if detail.kind == ProtectedKind.ADDRESS:
        return _find_address_words(detail.value, text)
    key = fold(detail.value).strip()
    if not key:
        return None
    folded = fold_mapped(text)
    match = regex.search(phrase_pattern(key), folded.text)
    return folded.span(match.start(), match.end()) if match else None


def _find_phone_digits(value: str, text: str) -> tuple[int, int] | None:
    """Find a phone number by its last digits, whatever separates them in the text."""
    wanted = "".join(ch for ch in ascii_digits(value) if ch.isdigit())
    wanted = wanted[-PHONE_DIGITS_COMPARED:]
    if len(wanted) < 7:
        return None
    digits = ascii_digits(text)
    positions = [index for index, ch in enumerate(digits) if ch.isdigit()]
    run = "".join(digits[index] for index in positions)
    start = run.find(wanted)
    while start != -1:
        first, last = positions[start], positions[start + len(wanted) - 1]
        # The digits may be spaced or dotted, not scattered through a sentence.
        if last - first < len(wanted) * 3:
            return first, last + 1
        start = run.find(wanted, start + 1)
    return None


WORD = regex.compile(r"\w+")
DIGIT = regex.compile(r"\d")


def street_line(address: str) -> str:
    """Return the folded part of an address with the door number and street, not the town.

    "Flat 3, 12 Harbour Street, Leeds" gives "12 harbour street"; "No. 12, Jalan
    Ampang, Kuala Lumpur" (a door number on its own before the street, as in
    Malaysia) gives "no. 12 jalan ampang".
    """
    parts = [part for part in regex.split(r"[,،\n]", fold(address)) if part.strip()]
    named = [part for part in parts if STREET_WORDS & set(WORD.findall(part))]
    numbered = [
        part for part in parts if regex.search(r"\d", part) and regex.search(r"\p{L}", part)
    ]
    line = (named or numbered or parts or [""])[0]
    after = parts[parts.index(line) + 1] if line in parts[:-1] else ""
    # The number and the street name are written as two parts ("No. 12, Jalan Ampang";
    # "Calle Mayor, nº 12"): look for both.
    if after and (_only_a_number(line) or (_only_a_number(after) and not DIGIT.search(line))):
        line += " " + after
    return line


def _only_a_number(part: str) -> bool:
    """Tell whether a part of an address is a door number and street words, no name."""
    return all(
        word.isdigit() or word in STREET_WORDS or word in UNIT_WORDS for word in WORD.findall(part)
    )


def _find_address_words(value: str, text: str) -> tuple[int, int] | None:
    """Find an address by its number and street name close together, in any order."""
    wanted = [
        word
        for word in WORD.findall(street_line(value))
        if word not in STREET_WORDS and word not in UNIT_WORDS
    ]
    if not wanted:
        return None
    folded = fold_mapped(text)
    words = list(WORD.finditer(folded.text))
    window = len(wanted) + 4
    for index in range(len(words)):
        near = words[index : index + window]
        seen = {match.group() for match in near}
        if words[index].group() in wanted and all(word in seen for word in wanted):
            hits = [match for match in near if match.group() in wanted]
            return folded.span(hits[0].start(), hits[-1].end())
    return None


def excerpt(text: str, span: tuple[int, int] | None, *, mask: bool = False) -> str:
    """Return the words around a match, digits hidden when they are someone's details."""
    if span is None:
        piece = text[: EXCERPT_CONTEXT * 2]
    else:
        start = max(0, span[0] - EXCERPT_CONTEXT)
        end = min(len(text), span[1] + EXCERPT_CONTEXT)
        piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    piece = " ".join(piece.split())
    if mask:
        piece = "".join("•" if ch.isdecimal() else ch for ch in piece)
    return piece


# --- What other apps call ----------------------------------------------------------------------


def evaluate(item_text: str, *, team: Team | None, language: str = "") -> list[AlertMatch]:
    """Return why an item's text should raise an alert; an empty list when it should not.

    ``team`` adds its own terms and protected details to the shipped lists
    (None: the shipped lists only). For many items, build one
    ``Matcher.for_team(team)`` and call its ``evaluate``.
    """
    return Matcher.for_team(team).evaluate(item_text, language).matches


class AlertRecord(Protocol):
    """What raise_alerts needs of an item: an archive Item and a RemoteItem both fit."""

    network: str
    remote_id: str
    text: str
    language: str


def raise_alerts(team: Team, campaign: Campaign, records: Iterable[AlertRecord]) -> int:
    """Evaluate a batch of incoming items and store an alert for each that matches.

    Items that already have an alert in this campaign are skipped, so a batch
    can be evaluated twice. Return how many alerts were created.
    """
    from houseboat.safety.models import Alert

    matcher = Matcher.for_team(team)
    candidates = {}
    for record in records:
        matches = matcher.evaluate(record.text or "", record.language or "").matches
        if matches:
            candidates[(record.network, str(record.remote_id))] = matches
    if not candidates:
        return 0
    known = set(
        Alert.objects.filter(
            campaign=campaign, remote_id__in=[key[1] for key in candidates]
        ).values_list("network", "remote_id")
    )
    alerts = [
        Alert(
            team=team,
            campaign=campaign,
            network=network,
            remote_id=remote_id,
            severity=_highest(matches),
            kinds=",".join(sorted({match.kind for match in matches})),
            matches=[{**match.as_json(), "explanation": match.explanation} for match in matches],
        )
        for (network, remote_id), matches in candidates.items()
        if (network, remote_id) not in known
    ]
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    return len(alerts)


def raise_pile_on(
    team: Team, campaign: Campaign, key: str, match: dict, *, severity: str = Severity.MEDIUM
) -> bool:
    """Store a possible pile-on alert once per ``key`` (one spike); return whether it is new.

    ``match`` says what spiked (``term``), its ``count``, the ``usual`` hour and the
    ``hour``; it is stored with ``source`` "spike" and explained by :func:`explain`.
    """
    from houseboat.safety.models import Alert

    stored = {**match, "source": FROM_SPIKE, "kind": AlertKind.PILE_ON, "severity": severity}
    _alert, created = Alert.objects.get_or_create(
        campaign=campaign,
        network="houseboat",
        remote_id=key,
        defaults={
            "team": team,
            "severity": severity,
            "kinds": AlertKind.PILE_ON,
            "matches": [{**stored, "explanation": explain(stored)}],
        },
    )
    return created


def _highest(matches: Sequence[AlertMatch]) -> str:
    order = [Severity.HIGH, Severity.MEDIUM, Severity.LOW]
    return min((match.severity for match in matches), key=order.index)
