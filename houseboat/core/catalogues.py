"""Read houseboat's translation catalogues: what each language has, and how much of it
a person has reviewed.

The catalogues live in houseboat/locale/<lang>/LC_MESSAGES/django.po, beside the
template houseboat/locale/django.pot; `bash scripts/messages` makes, checks and
compiles them. Every catalogue starts machine-drafted (its header says
``X-Machine-Drafted: yes``); a reviewer who has checked an entry puts a translator
comment ``# reviewed`` above it (CONTRIBUTING.md). The About translations page and the
checks read the files with this small parser, so nothing beyond the standard library
is needed at run time.
"""

import ast
import functools
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
POT = LOCALE_DIR / "django.pot"
REVIEWED = "reviewed"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # translator comments, "# ..."
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags

    @property
    def reviewed(self) -> bool:
        return any(c.strip().lower().startswith(REVIEWED) for c in self.comments)


def _unquote(line: str) -> str:
    return ast.literal_eval(line) if line.startswith('"') else ""


def parse_po(text: str) -> list[Entry]:
    """Parse a PO file's entries (the header is the entry whose msgid is empty)."""
    entries, entry, target = [], Entry(), ""
    for raw in text.splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        starts = line.startswith(("#", "msgctxt ", "msgid "))
        if starts and entry.msgstr:  # the previous entry is complete
            entries.append(entry)
            entry, target = Entry(), ""
        entry.obsolete = entry.obsolete or obsolete
        keyword, _, rest = line.partition(" ")
        if line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith("# ") or line == "#":
            entry.comments.append(line[2:])
        elif line.startswith("#"):
            continue  # extracted comments, locations, previous msgids
        elif keyword == "msgctxt":
            entry.msgctxt, target = _unquote(rest), "msgctxt"
        elif keyword == "msgid":
            entry.msgid, target = _unquote(rest), "msgid"
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _unquote(rest), "msgid_plural"
        elif keyword.startswith("msgstr"):
            entry.msgstr.append(_unquote(rest))
            target = "msgstr"
        elif line.startswith('"') and target == "msgstr":
            entry.msgstr[-1] += _unquote(line)
        elif line.startswith('"') and target:
            setattr(entry, target, getattr(entry, target) + _unquote(line))
    if entry.msgstr:
        entries.append(entry)
    return [e for e in entries if not e.obsolete]


def header(entries: list[Entry]) -> dict[str, str]:
    """Return the catalogue's header fields (Language, Plural-Forms, X-...)."""
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None and entry.msgstr:
            fields = (line.partition(":") for line in entry.msgstr[0].splitlines())
            return {name.strip(): value.strip() for name, _, value in fields if name}
    return {}


def messages(entries: list[Entry]) -> list[Entry]:
    """Return the entries that are messages, without the header."""
    return [e for e in entries if not (e.msgid == "" and e.msgctxt is None)]


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True)
class Status:
    language: str
    total: int
    translated: int
    reviewed: int
    machine_drafted: bool
    reviewers: str

    @property
    def reviewed_percent(self) -> int:
        return round(100 * self.reviewed / self.total) if self.total else 0

    @property
    def translated_percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 0


@functools.cache
def status(language: str) -> Status | None:
    """Count a language's entries: translated, and reviewed by a person."""
    path = catalogue_path(language)
    if not path.exists():
        return None
    entries = parse_po(path.read_text(encoding="utf-8"))
    fields, found = header(entries), messages(entries)
    return Status(
        language=language,
        total=len(found),
        translated=sum(e.translated for e in found),
        reviewed=sum(e.translated and e.reviewed for e in found),
        machine_drafted=fields.get("X-Machine-Drafted", "").lower() == "yes",
        reviewers=fields.get("X-Reviewed-By", ""),
    )
