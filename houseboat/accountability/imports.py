"""Read lists of demands from the files people already have.

Three layouts, told apart by their header row:

- houseboat's own CSV: ``ref,title,text,kind,target,deadline``.
- the UPR Info database export (upr-info.org): one recommendation a row, with the
  state under review, the recommending state, the recommendation, the response
  (older exports say Accepted/Noted, newer ones Supported/Noted), the action
  category (UPR Info's 1-5 scale, which becomes the specificity), the issues, the
  session and the cycle. Older exports were written on a Mac: Mac Roman, with
  lines ending in a lone CR; Excel users often save it with ";" between columns.
- the UN's own export from the Universal Human Rights Index (uhri.ohchr.org):
  the recommendation's text, the body or mechanism, the document symbol and
  paragraph (together its reference), the state, the themes, the affected
  persons, and for UPR recommendations the position the state took.

Columns are matched by name, ignoring case, spacing and a few known variants, so
a column added or moved by a later export does not break the import. Nothing is
stored while reading: ``read`` returns the rows, the counts for a preview and
every row it could not read with its line number; ``store`` then saves the rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from houseboat.accountability.constants import (
    DeadlineKind,
    DemandKind,
    Response,
    TermKind,
    Visibility,
)
from houseboat.accountability.models import Demand, Term
from houseboat.accountability.services import create_demand, record_response
from houseboat.campaigns.models import Campaign
from houseboat.core.models import User

HOUSEBOAT = "houseboat"
UPR_INFO = "upr-info"
UHRI = "uhri"
LAYOUT_NAMES = {
    HOUSEBOAT: "houseboat CSV (ref,title,text,kind,target,deadline)",
    UPR_INFO: "UPR Info database export",
    UHRI: "UN Universal Human Rights Index export",
}
MAX_BYTES = 50 * 1024 * 1024

# Each field we read, and the column names it goes by (compared as `simple` makes them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "reference", "id", "recommendation number", "recommendation id", "number"),
    "title": ("title", "short title"),
    "text": (
        "text",
        "recommendation",
        "recommendations",
        "recommendation text",
        "annotation",
        "observation",
    ),
    "kind": ("kind", "type"),
    "target": ("target", "targets", "state under review", "country", "countries", "state"),
    "deadline": ("deadline", "due", "due date"),
    "made_by": (
        "recommending state",
        "recommending states",
        "recommending state(s)",
        "made by",
        "mechanism",
        "body",
        "human rights body",
    ),
    "response": ("response", "position", "upr position", "response of the state"),
    "specificity": ("action category", "action", "specificity", "category of action"),
    "themes": ("issues", "issue", "themes", "theme", "thematic cluster"),
    "groups": ("affected persons", "affected groups", "concerned persons", "groups"),
    "session": ("session", "upr session"),
    "cycle": ("cycle", "upr cycle", "reporting cycle"),
    "symbol": ("document symbol", "symbol", "document"),
    "paragraph": ("paragraph", "para", "paragraph number"),
    "year": ("year", "date"),
}

RESPONSES = {
    "accepted": Response.SUPPORTED,
    "supported": Response.SUPPORTED,
    "accepted/supported": Response.SUPPORTED,
    "noted": Response.NOTED,
    "not accepted": Response.NOTED,
    "rejected": Response.REJECTED,
    "partially accepted": Response.SUPPORTED_IN_PART,
    "partially supported": Response.SUPPORTED_IN_PART,
    "supported in part": Response.SUPPORTED_IN_PART,
    "supported/noted": Response.SUPPORTED_IN_PART,
    "accepted/noted": Response.SUPPORTED_IN_PART,
    "acknowledged": Response.ACKNOWLEDGED,
    "general response": Response.ACKNOWLEDGED,
    "pending": Response.NONE,
    "no response": Response.NONE,
    "": Response.NONE,
}
KINDS = {
    **{value: value for value in DemandKind.values},
    **{str(label).casefold(): value for value, label in DemandKind.choices},
    "un": DemandKind.RECOMMENDATION,
    "court": DemandKind.COURT_ORDER,
}


class ImportFileError(Exception):
    """The whole file cannot be read; the message says why and what to do."""


@dataclass
class Row:
    """One demand read from a file, not yet stored."""

    line: int
    title: str
    text: str = ""
    ref: str = ""
    kind: str = DemandKind.OURS
    made_by: str = ""
    targets: list[str] = field(default_factory=list)
    deadline: date | None = None
    response: str = ""
    specificity: int | None = None
    themes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    source: dict[str, str] = field(default_factory=dict)


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Parsed:
    """What reading a file found: the layout, the rows, the bad rows and notes."""

    layout: str
    encoding: str
    rows: list[Row]
    problems: list[Problem]
    notes: list[Problem]
    known: list[Row] = field(default_factory=list)  # already in the tracker

    @property
    def layout_name(self) -> str:
        return LAYOUT_NAMES[self.layout]

    def counts(self) -> dict[str, Counter]:
        """Counts for the preview: by response, by who made them, by theme."""
        return {
            "response": Counter(Response(r.response).label for r in self.rows if r.response),
            "made_by": Counter(r.made_by for r in self.rows if r.made_by),
            "themes": Counter(t for r in self.rows for t in r.themes),
        }


# --- Reading -------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Return the text and the encoding it was in: UTF-8, UTF-16, Mac Roman or Windows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # Lines ending in a lone CR: written on a Mac before OS X, in Mac Roman.
    if b"\r" in data and b"\n" not in data:
        return data.decode("mac_roman"), "Mac Roman"
    return data.decode("cp1252", errors="replace"), "Windows-1252"


def simple(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("_", " ")).strip().casefold()


def delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def detect(header: list[str]) -> str:
    """Tell the layout from the header row, or say which columns were expected."""
    names = {simple(h) for h in header}
    if {"state under review", "recommending state"} <= names or (
        "recommendation" in names and "response" in names and {"session", "cycle"} & names
    ):
        return UPR_INFO
    if {"affected persons", "document symbol", "symbol", "annotation"} & names:
        return UHRI
    if "title" in names or {"ref", "text"} <= names:
        return HOUSEBOAT
    raise ImportFileError(
        _(
            "The first row does not look like a list of demands. houseboat reads its own CSV "
            "(a header row with ref,title,text,kind,target,deadline), the UPR Info database "
            "export and the UN Universal Human Rights Index export. The first row has: %(cols)s."
        )
        % {"cols": ", ".join(h for h in header if h)[:300] or _("nothing")}
    )


def column_map(header: list[str]) -> dict[str, int]:
    """Return the position of each field we know in this header."""
    positions = {simple(h): i for i, h in reversed(list(enumerate(header)))}
    found = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name in positions:
                found[key] = positions[name]
                break
    return found


def records(text: str, sep: str):
    """Yield (first line number, fields) for each record; a broken file stops with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("line %(line)d: the file cannot be read as CSV from here (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None


def read(data: bytes, *, campaign: Campaign | None = None) -> Parsed:
    """Read a file of demands without storing anything."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB; split it into parts."))
    text, encoding = decode(data)
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    rows_iter = records(text, delimiter(first_line))
    header = next(rows_iter, (1, []))[1]
    layout = detect(header)
    columns = column_map(header)
    parsed = Parsed(layout=layout, encoding=encoding, rows=[], problems=[], notes=[])
    for line, fields in rows_iter:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) > len(header):
            parsed.problems.append(
                Problem(
                    line,
                    _("it has %(n)d columns, the header has %(m)d.")
                    % {"n": len(fields), "m": len(header)},
                )
            )
            continue
        values = fields + [""] * (len(header) - len(fields))
        try:
            row = READERS[layout](line, Getter(values, columns), parsed)
        except ValueError as error:
            parsed.problems.append(Problem(line, str(error)))
            continue
        parsed.rows.append(row)
    if campaign is not None:
        set_aside_known(parsed, campaign)
    return parsed


def set_aside_known(parsed: Parsed, campaign: Campaign) -> None:
    """Move rows whose reference is already in the tracker (or twice in the file) aside."""
    existing = set(
        Demand.objects.filter(campaign=campaign).exclude(ref="").values_list("ref", flat=True)
    )
    fresh = []
    for row in parsed.rows:
        if row.ref and row.ref in existing:
            parsed.known.append(row)
        else:
            fresh.append(row)
            if row.ref:
                existing.add(row.ref)
    parsed.rows = fresh


# --- One row of each layout ----------------------------------------------------------------


@dataclass(frozen=True)
class Getter:
    """A row's value for a field, by the column map ("" when the file has no such column)."""

    values: list[str]
    columns: dict[str, int]

    def __call__(self, key: str) -> str:
        return self.values[self.columns[key]].strip() if key in self.columns else ""


def parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            _("the deadline %(value)s is not a date like 2026-12-31.") % {"value": value}
        ) from None


def split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|\n]", value) if part.strip()]


def title_from(text: str, limit: int = 120) -> str:
    """A short title from a recommendation's first words."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def response_of(value: str, line: int, parsed: Parsed) -> str:
    response = RESPONSES.get(simple(value))
    if response is None:
        parsed.notes.append(
            Problem(
                line,
                _("the response %(value)s is not one houseboat knows; stored without a response.")
                % {"value": value},
            )
        )
        return Response.NONE
    return response


def specificity_of(value: str) -> int | None:
    digit = re.search(r"[1-5]", value)
    return int(digit.group()) if digit else None


def houseboat_row(line: int, get, parsed: Parsed) -> Row:
    title, text = get("title"), get("text")
    if not (title or text):
        raise ValueError(_("it has neither a title nor a text."))
    kind = KINDS.get(simple(get("kind")) or DemandKind.OURS)
    if kind is None:
        raise ValueError(
            _("the kind %(value)s is not one of %(kinds)s.")
            % {"value": get("kind"), "kinds": ", ".join(DemandKind.values)}
        )
    return Row(
        line=line,
        ref=get("ref")[:120],
        title=(title or title_from(text))[:200],
        text=text,
        kind=kind,
        targets=split_list(get("target")),
        deadline=parse_date(get("deadline")),
    )


def upr_info_row(line: int, get, parsed: Parsed) -> Row:
    text = get("text")
    if not text:
        raise ValueError(_("the recommendation is empty."))
    session, cycle = get("session"), get("cycle")
    ref = get("ref") or f"UPR-{session or cycle or 'x'}-L{line}"
    state = get("target")
    return Row(
        line=line,
        ref=ref[:120],
        title=title_from(text),
        text=text,
        kind=DemandKind.RECOMMENDATION,
        made_by=get("made_by"),
        targets=[state] if state else [],
        response=response_of(get("response"), line, parsed),
        specificity=specificity_of(get("specificity")),
        themes=split_list(get("themes")),
        source={
            "layout": UPR_INFO,
            "session": session,
            "cycle": cycle,
            "response": get("response"),
        },
    )


def uhri_row(line: int, get, parsed: Parsed) -> Row:
    text = get("text")
    if not text:
        raise ValueError(_("the recommendation is empty."))
    symbol, paragraph = get("symbol"), get("paragraph")
    ref = get("ref") or (f"{symbol} para. {paragraph}" if symbol and paragraph else symbol)
    state = get("target")
    return Row(
        line=line,
        ref=(ref or f"UHRI-L{line}")[:120],
        title=title_from(text),
        text=text,
        kind=DemandKind.RECOMMENDATION,
        made_by=get("made_by"),
        targets=split_list(state) if state else [],
        response=response_of(get("response"), line, parsed) if get("response") else "",
        themes=split_list(get("themes")),
        groups=split_list(get("groups")),
        source={"layout": UHRI, "symbol": symbol, "paragraph": paragraph, "year": get("year")},
    )


READERS = {HOUSEBOAT: houseboat_row, UPR_INFO: upr_info_row, UHRI: uhri_row}


# --- Storing -------------------------------------------------------------------------------


def term(campaign: Campaign, kind: str, name: str, cache: dict) -> Term:
    key = (kind, name[:120])
    if key not in cache:
        cache[key], _created = Term.objects.get_or_create(
            team=campaign.team, kind=kind, parent=None, name=name[:120]
        )
    return cache[key]


@transaction.atomic
def store(parsed: Parsed, campaign: Campaign, *, by: User | None) -> list[Demand]:
    """Save the rows read as draft demands the team sees; responses wait for review."""
    set_aside_known(parsed, campaign)
    cache: dict = {}
    stored = []
    for row in parsed.rows:
        demand = create_demand(
            campaign,
            title=row.title,
            by=by,
            targets=row.targets,
            ref=row.ref,
            text=row.text,
            kind=row.kind,
            made_by=row.made_by[:200],
            deadline=row.deadline,
            deadline_kind=DeadlineKind.EXPLICIT if row.deadline else DeadlineKind.ABSENT,
            specificity=row.specificity,
            source={k: v for k, v in row.source.items() if v},
            visibility=Visibility.TEAM,
            draft=True,
        )
        demand.themes.set([term(campaign, TermKind.THEME, t, cache) for t in row.themes])
        demand.groups.set([term(campaign, TermKind.GROUP, g, cache) for g in row.groups])
        if row.response and row.response != Response.NONE:
            record_response(
                demand,
                response=row.response,
                quote=row.source.get("response", ""),
                by=by,
            )
        stored.append(demand)
    return stored
