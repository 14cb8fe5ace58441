"""Read big JSON files record by record, in memory bounded by the largest record.

Two shapes: NDJSON (one JSON value per line) and one large JSON array, bare, after
a JavaScript prefix (X archives) or inside a top-level object (Mastodon's outbox,
Telegram's result.json). Neither holds more than one record and one read-ahead
chunk in memory.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from houseboat.listening.importers.base import (
    MAX_DEPTH,
    SURROGATE_ESCAPE,
    TOO_DEEP,
    Broken,
    ImportFileError,
    MiB,
    checked_value,
)

WHITESPACE = re.compile(r"[ \t\n\r]*")
DELIMITERS = frozenset(",]}: \t\n\r")
READ_ERRORS = (EOFError, OSError, zlib.error)


@dataclass(frozen=True)
class Line:
    number: int
    data: bytes  # without the line break; empty when too long
    complete: bool  # ended with a line break (a last line without one may be cut off)
    too_long: bool = False


def damaged(name: str, exc: BaseException) -> ImportFileError:
    return ImportFileError(
        f"{name} is damaged and cannot be read to the end ({exc}). Nothing was imported."
    )


def lines(stream: IO[bytes], *, name: str, max_bytes: int) -> Iterator[Line]:
    """Yield the lines of a stream; a line over max_bytes is skipped over, never held."""
    number = 0
    while True:
        try:
            data = stream.readline(max_bytes + 1)
        except READ_ERRORS as exc:
            raise damaged(name, exc) from exc
        if not data:
            return
        number += 1
        if len(data) > max_bytes and not data.endswith(b"\n"):
            while True:  # skip to the end of the long line, 1 MiB at a time
                try:
                    rest = stream.readline(MiB)
                except READ_ERRORS as exc:
                    raise damaged(name, exc) from exc
                if not rest or rest.endswith(b"\n"):
                    break
            yield Line(number, b"", complete=True, too_long=True)
            continue
        complete = data.endswith(b"\n")
        yield Line(number, data.rstrip(b"\r\n"), complete)


class JsonReader:
    """Pull JSON values one at a time out of a large text, chunk by chunk."""

    def __init__(self, stream: IO[bytes], *, name: str, max_value: int, chunk: int = MiB):
        self.stream = stream
        self.name = name
        self.max_value = max_value
        self.chunk = chunk
        self.buf = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front of buf so far
        self.eof = False
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._decode = json.JSONDecoder().raw_decode
        self._started = False

    # -- the buffer

    def fill(self, size: int | None = None) -> bool:
        """Read more text; return False at the end of the file."""
        if self.eof:
            return False
        try:
            data = self.stream.read(size or self.chunk)
        except READ_ERRORS as exc:
            raise damaged(self.name, exc) from exc
        if self.pos:
            self.offset += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{self.name} is not UTF-8 text (near byte {exc.start}): is it the right file?"
            ) from exc
        if not self._started:
            text = text.removeprefix("\ufeff")
            self._started = True
        self.buf += text
        if not data:
            self.eof = True
        return bool(data)

    def peek(self) -> str:
        """Return the next character that is not white space ("" at the end), consuming none."""
        while True:
            self.pos = WHITESPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def where(self) -> str:
        return f"character {self.offset + self.pos + 1:,}"

    def damaged(self, what: str) -> ImportFileError:
        if not self.peek() and self.eof:
            return ImportFileError(
                f"{self.name} ends in the middle of {what}: the file seems cut off "
                "(an interrupted download or copy?). Nothing was imported."
            )
        return ImportFileError(
            f"{self.name} is damaged at {self.where()}: expected {what}. Nothing was imported."
        )

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.damaged(what)
        self.pos += 1

    # -- values

    def value(self, what: str = "a record") -> Any:
        """Decode the next JSON value, reading ahead as far as it needs (up to max_value)."""
        self.peek()
        size = self.chunk
        while True:
            try:
                obj, end = self._decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > self.max_value:
                    raise self.too_large(what) from exc
                if self.fill(size):
                    size = min(size * 2, 64 * MiB)
                    continue
                if exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated"):
                    raise ImportFileError(
                        f"{self.name} ends in the middle of {what}: the file seems cut off "
                        "(an interrupted download or copy?). Nothing was imported."
                    ) from exc
                raise ImportFileError(
                    f"{self.name} is damaged at character {self.offset + exc.pos + 1:,}: "
                    f"{exc.msg}. Nothing was imported."
                ) from exc
            except RecursionError:
                obj, end = Broken(TOO_DEEP), self.skip_value()
                if end < 0:
                    if len(self.buf) - self.pos > self.max_value:
                        raise self.too_large(what) from None
                    if self.fill(size):
                        size = min(size * 2, 64 * MiB)
                        continue
                    raise self.damaged(what) from None
            if self.cut_short(obj, end) and self.fill():
                continue
            if end - self.pos > self.max_value:
                raise self.too_large(what)
            if isinstance(obj, dict | list) and self.suspect(self.pos, end):
                obj = checked_value(obj, self.buf[self.pos : end])
            self.pos = end
            return obj

    def suspect(self, start: int, end: int) -> bool:
        """Tell cheaply (no copy) whether a value may be too deep or hold a lone surrogate."""
        buf = self.buf
        return bool(
            buf.count("{", start, end) + buf.count("[", start, end) > MAX_DEPTH
            or SURROGATE_ESCAPE.search(buf, start, end)
        )

    def skip_value(self) -> int:
        """Return where the container starting at pos ends (-1: not in the buffer yet).

        Used only for a value too deep for the parser: brackets are counted without
        recursion, inside strings ignored.
        """
        depth, in_string, escaped = 0, False, False
        for index in range(self.pos, len(self.buf)):
            char = self.buf[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    return index + 1
        return -1

    def cut_short(self, value: Any, end: int) -> bool:
        """Say whether a number or literal may go on past the buffer ("1" of "12", "1" of "1.5")."""
        if isinstance(value, dict | list | str):
            return False
        rest = self.buf[end:]
        return len(rest) <= 2 and (not rest or rest[0] not in DELIMITERS)

    def too_large(self, what: str) -> ImportFileError:
        return ImportFileError(
            f"{self.name} has {what} larger than {self.max_value // MiB} MB at {self.where()}; "
            "houseboat reads records up to that size. Nothing was imported."
        )

    def array(self, what: str = "a list of records") -> Iterator[Any]:
        """Yield the elements of the JSON array that starts here."""
        self.expect("[", what)
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            char = self.peek()
            self.pos += 1
            if char == "]":
                return
            if char != ",":
                self.pos -= 1
                raise self.damaged("a comma or the end of the list")

    def members(self, what: str = "a JSON object") -> Iterator[str]:
        """Yield the names of the object that starts here; read each value before the next.

        The caller reads (or walks into) each member's value with ``value()``,
        ``array()`` or ``members()`` before asking for the next name.
        """
        self.expect("{", what)
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            name = self.value("a name")
            if not isinstance(name, str):
                raise self.damaged("a name in quotes")
            self.expect(":", "a colon")
            yield name
            char = self.peek()
            self.pos += 1
            if char == "}":
                return
            if char != ",":
                self.pos -= 1
                raise self.damaged("a comma or the end of the object")

    def array_in_object(self, key: str, header: dict[str, Any]) -> Iterator[Any]:
        """Yield the elements of the array under ``key`` of the top-level object.

        The object's other members are put in ``header`` as they are met (those
        before the array are there by the time the first element is yielded).
        Raise when the object has no such array.
        """
        self.expect("{", "a JSON object")
        found = False
        if self.peek() == "}":
            self.pos += 1
        else:
            while True:
                name = self.value("a name")
                if not isinstance(name, str):
                    raise self.damaged("a name in quotes")
                self.expect(":", "a colon")
                if name == key and self.peek() == "[":
                    found = True
                    yield from self.array()
                else:
                    header[name] = self.value(f"the value of {name!r}")
                char = self.peek()
                self.pos += 1
                if char == "}":
                    break
                if char != ",":
                    self.pos -= 1
                    raise self.damaged("a comma or the end of the object")
        if not found:
            raise ImportFileError(f"{self.name} has no {key!r} list")
        self.end()

    def end(self) -> None:
        """Allow nothing but white space (or a JavaScript semicolon) after the data."""
        if self.peek() == ";":
            self.pos += 1
        if self.peek():
            raise ImportFileError(
                f"{self.name} goes on after the end of its data at {self.where()}: "
                "the file is damaged or not what it seems. Nothing was imported."
            )
