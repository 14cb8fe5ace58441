"""What every importer shares: its manifest, its errors, its limits and bad-record policy.

An importer is a module with a ``MANIFEST`` and a ``read(path, problems, limits)``
generator that yields :class:`~houseboat.listening.ingest.Captured` records, in the
same order every time it reads the same file (an import resumes by position).
It never writes to the database: the ingest pipeline does. Two optional functions:
``digest(path) -> (sha256, size)`` names the source when the file's own hash will not
do (a folder), and ``after_import(path, capture)`` runs once all records are stored,
before the custody record is written.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NotRequired, Protocol, TypedDict

from houseboat.listening.records import Captured

MiB = 1024**2
GiB = 1024**3


class ImporterManifest(TypedDict):
    """What an importer reads, as plain data the CLI, the upload page and the docs use."""

    name: str  # the FORMAT word of `houseboat import FORMAT PATH`
    label: str
    network: str
    expects: str  # finishes the sentence "expected …" in error messages
    version: int  # bump when the records it yields change, so custody says which reader ran
    folders: NotRequired[bool]  # PATH may be a folder (an unpacked export), not only a file
    options: NotRequired[list[str]]  # keyword options read() takes (date_order, timezone, …)


class Importer(Protocol):
    MANIFEST: ImporterManifest

    def read(self, path: Path, problems: Problems, limits: Limits) -> Iterator[Captured]: ...


class ImportFileError(Exception):
    """The file cannot be imported as it is; the message says why and what to do."""


class BadRecord(ImportFileError):
    """One record in the file is unusable; --keep-going skips such records."""


class UnsafeFile(ImportFileError):
    """The file could harm the machine (path traversal, decompression bomb): refused whole."""


@dataclass(frozen=True)
class Limits:
    """How much an import may read; generous for real exports, small in tests."""

    max_record_bytes: int = 50 * MiB  # one NDJSON line or one JSON record
    max_uncompressed_bytes: int = 64 * GiB  # everything inside a ZIP or gzip file
    max_ratio: int = 100  # uncompressed/compressed, past which a large entry is a bomb
    ratio_floor: int = 1 * MiB  # entries smaller than this are never called bombs
    max_entries: int = 500_000
    max_media_bytes: int = 2 * GiB


FIRST_POSITIONS = 5


@dataclass
class Problems:
    """Bad records: an error at the first one, or counted and skipped with --keep-going.

    Skipped records are counted per reason (the sentence without its detail in
    brackets), with the first few positions of each, so a person can find them.
    """

    keep_going: bool = False
    skipped: int = 0
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader assumed, to tell the user
    reasons: dict[str, dict[str, Any]] = field(default_factory=dict)

    def note(self, sentence: str) -> None:
        """Remember something the user should know about how the file was read (once)."""
        if sentence not in self.notes:
            self.notes.append(sentence)

    def bad(self, where: str, why: str) -> None:
        """Report a bad record; raise unless the user asked to keep going."""
        message = f"{where}: {why}"
        if not self.keep_going:
            raise BadRecord(
                f"{message}. Nothing was imported. Fix the file, or run the import again "
                "with --keep-going to skip bad records."
            )
        self.skipped += 1
        if len(self.examples) < 10:
            self.examples.append(message)
        reason = why.split(" (", 1)[0] if why.endswith(")") else why
        entry = self.reasons.setdefault(reason, {"count": 0, "first": []})
        entry["count"] += 1
        if len(entry["first"]) < FIRST_POSITIONS:
            entry["first"].append(where)

    def report(self) -> list[dict[str, Any]]:
        """Return the skipped records per reason, the most frequent first."""
        return [
            {"reason": reason, "count": entry["count"], "first": list(entry["first"])}
            for reason, entry in sorted(self.reasons.items(), key=lambda r: -r[1]["count"])
        ]


def expected(manifest: ImporterManifest) -> str:
    return f"expected {manifest['expects']}"


def check_not_empty(path: Path, manifest: ImporterManifest) -> None:
    """Refuse a missing, unreadable or empty file with a sentence a person can act on."""
    if not path.exists():
        raise ImportFileError(f"There is no file at {path}.")
    if not path.is_file():
        raise ImportFileError(f"{path} is a folder, not a file: {expected(manifest)}.")
    if path.stat().st_size == 0:
        raise ImportFileError(f"{path.name} is empty: {expected(manifest)}.")


class GuardedStream(io.RawIOBase):
    """A decompressing stream that stops at the byte and ratio limits (a bomb guard)."""

    def __init__(self, inner: IO[bytes], *, compressed_size: int, limits: Limits, name: str):
        self.inner = inner
        self.compressed_size = max(compressed_size, 1)
        self.limits = limits
        self.name = name
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        self.produced += len(data)
        limits = self.limits
        if self.produced > limits.max_uncompressed_bytes or (
            self.produced > limits.ratio_floor
            and self.produced > limits.max_ratio * self.compressed_size
        ):
            raise UnsafeFile(
                f"{self.name} unpacks to far more than its own size (a decompression bomb?): "
                "refused, nothing was imported."
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_maybe_gzip(path: Path, limits: Limits) -> IO[bytes]:
    """Open a file for reading, unpacking it on the fly (with the bomb guard) if it is gzip."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic != b"\x1f\x8b":
        return path.open("rb")
    guarded = GuardedStream(
        gzip.open(path, "rb"),  # noqa: SIM115 (closed with the stream returned)
        compressed_size=path.stat().st_size,
        limits=limits,
        name=path.name,
    )
    return io.BufferedReader(guarded, buffer_size=1 * MiB)


def is_zip(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(4) == b"PK\x03\x04"


# --- records that parse but cannot be stored --------------------------------------------------

# Deeper than any platform nests its payloads; past it a record is refused (one bad
# record), before anything recursive (flattening, hashing, storing) meets it.
MAX_DEPTH = 100
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
TOO_DEEP = f"the record is nested more than {MAX_DEPTH} levels deep"
BROKEN_CHARACTER = (
    "the record holds a broken character (a lone UTF-16 surrogate, as old posts cut inside "
    "an emoji carry)"
)


@dataclass(frozen=True)
class Broken:
    """A value read from a file that cannot be stored as it is: why, and a repair if any."""

    why: str
    repaired: Any = None


def depth_over(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Tell whether containers nest deeper than ``limit`` (without recursing)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        children = current.values() if isinstance(current, dict) else current
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def has_lone_surrogate(value: Any) -> bool:
    """Tell whether any text in a parsed value holds a lone surrogate (not valid UTF-8)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if LONE_SURROGATE.search(current):
                return True
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def repair_surrogates(value: Any) -> Any:
    """Return the value with each lone surrogate replaced by U+FFFD (the replacement mark)."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {repair_surrogates(k): repair_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repair_surrogates(v) for v in value]
    return value


def checked_value(value: Any, source: str | bytes) -> Any:
    """Return the value, or :class:`Broken` when it is too deep or holds a lone surrogate.

    ``source`` is the value's text in the file: cheap counts on it decide whether the
    value needs a closer look, so ordinary records cost two scans in C.
    """
    opening = ("{", "[") if isinstance(source, str) else (b"{", b"[")
    if source.count(opening[0]) + source.count(opening[1]) > MAX_DEPTH and depth_over(value):
        return Broken(TOO_DEEP)
    text = source if isinstance(source, str) else source.decode("utf-8", "replace")
    if SURROGATE_ESCAPE.search(text) and has_lone_surrogate(value):
        return Broken(BROKEN_CHARACTER, repaired=repair_surrogates(value))
    return value


def usable(value: Any, where: str, problems: Problems) -> Any:
    """Return a value fit to store, or None once the bad record is reported.

    A lone surrogate is repaired (and said) with --keep-going; without it, the import
    stops with a clear error, as for any bad record.
    """
    if not isinstance(value, Broken):
        return value
    if value.repaired is not None and problems.keep_going:
        problems.note(
            "Some records held broken characters (lone UTF-16 surrogates, left where a post "
            "was cut inside an emoji); each was replaced by � and the record kept."
        )
        return value.repaired
    problems.bad(where, value.why)
    return None
