"""Open ZIP exports safely: every entry is checked before anything is read.

An archive is refused whole when one entry has a path that could escape a folder
(absolute, "..", a drive letter, a link) or when the sizes its directory declares
say it is a decompression bomb: one large entry far bigger unpacked than packed,
or all entries together (the total and its ratio), however small each one is. Entries are only ever read as streams (their
declared size is enforced by zipfile, with its CRC check); nothing is extracted
to a path taken from the archive.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from houseboat.listening.importers.base import ImportFileError, Limits, MiB, UnsafeFile
from houseboat.listening.records import MediaOpener


def unsafe_name(name: str) -> bool:
    """Say whether an entry name could point outside the folder it is unpacked into."""
    if not name or "\x00" in name:
        return True
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return ".." in PurePosixPath(normalised).parts


def check_entries(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse an archive with a dangerous entry or a bomb's sizes, before reading any entry."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise UnsafeFile(
            f"{name} holds {len(entries):,} files, more than the {limits.max_entries:,} "
            "houseboat accepts: refused, nothing was imported."
        )
    total = packed = 0
    for entry in entries:
        if unsafe_name(entry.filename):
            raise UnsafeFile(
                f"{name} contains an entry with an unsafe path ({entry.filename!r}) that could "
                "write outside its folder: refused, nothing was imported. Only open this "
                "archive if you know where it came from."
            )
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise UnsafeFile(
                f"{name} contains a symbolic link ({entry.filename!r}): refused, nothing was "
                "imported."
            )
        total += entry.file_size
        packed += entry.compress_size
        if entry.file_size > limits.ratio_floor and (
            entry.file_size > limits.max_ratio * max(entry.compress_size, 1)
        ):
            raise UnsafeFile(
                f"{name} looks like a decompression bomb: {entry.filename!r} unpacks from "
                f"{entry.compress_size:,} bytes to {entry.file_size:,}. Refused, nothing was "
                "imported."
            )
    # Many small entries, each under the per-entry floor, add up: a 1.1 MB archive of
    # 1 MiB entries of zeros unpacks to a thousand times its size. Judge the whole.
    if total > limits.ratio_floor and total > limits.max_ratio * max(packed, 1):
        raise UnsafeFile(
            f"{name} looks like a decompression bomb: its {len(entries):,} files unpack from "
            f"{packed:,} bytes to {total:,}, more than {limits.max_ratio} times their packed "
            "size. Refused, nothing was imported."
        )
    if total > limits.max_uncompressed_bytes:
        raise UnsafeFile(
            f"{name} unpacks to {total / MiB:,.0f} MB, more than the "
            f"{limits.max_uncompressed_bytes / MiB:,.0f} MB houseboat accepts (a decompression "
            "bomb?): refused, nothing was imported."
        )


@contextmanager
def open_zip(path: Path, limits: Limits, *, expects: str) -> Iterator[zipfile.ZipFile]:
    """Open and check a ZIP file, turning zipfile's errors into sentences."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportFileError(
            f"{path.name} is not a readable ZIP file (it is damaged or not a ZIP): "
            f"expected {expects}."
        ) from exc
    with archive:
        check_entries(archive, path.name, limits)
        try:
            yield archive
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ImportFileError(f"{path.name} is damaged: {exc}. Nothing was imported.") from exc


def member(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    """Open one entry as a stream of its bytes."""
    try:
        return archive.open(name)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(f"The entry {name!r} cannot be read: {exc}.") from exc


class ZipMembers:
    """Opens entries of a ZIP on demand, on a handle of its own.

    The pipeline copies a batch's media after the reader has moved on (or has closed
    its own handle at the end of the file), so media openers need their own handle.
    Only entries that passed :func:`check_entries` are ever named here.
    """

    def __init__(self, path: Path, entries: Iterable[str]):
        self.path = path
        self.entries = frozenset(entries)
        self._zip: zipfile.ZipFile | None = None

    def opener(self, entry: str) -> MediaOpener | None:
        """Return a function that opens the entry, or None when the ZIP has no such entry."""
        if entry not in self.entries:
            return None

        def open_entry() -> AbstractContextManager[IO[bytes]]:
            if self._zip is None:
                self._zip = zipfile.ZipFile(self.path)
            return self._zip.open(entry)

        return open_entry
