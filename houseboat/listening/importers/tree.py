"""An export given either as its ZIP or as the folder it unpacks to, read the same way.

Facebook and WhatsApp exports reach people both ways (a phone or a browser may unpack
the ZIP). A ZIP is checked whole before anything is read (see ``safezip``); a folder
is walked without following links, and only regular files inside it are ever opened.
Names are POSIX paths relative to the top of the export.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from houseboat.listening.importers.base import ImportFileError, Limits, is_zip
from houseboat.listening.importers.safezip import ZipMembers, member, open_zip, unsafe_name
from houseboat.listening.records import MediaOpener


class Tree:
    """The files of an export: their names, and a way to open each."""

    def __init__(self, names: list[str]):
        self.names = sorted(names)
        self.by_basename: dict[str, str] = {}
        for name in self.names:
            self.by_basename.setdefault(PurePosixPath(name).name, name)

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        raise NotImplementedError

    def opener(self, name: str) -> MediaOpener | None:
        raise NotImplementedError

    def resolve(self, relative: str, *, near: str = "") -> str | None:
        """Find the file a path inside the export points to, trying the folders above ``near``.

        Exports name media relative to their own top folder, which the ZIP may or may
        not keep; a path that could leave the export is never resolved.
        """
        if not relative or unsafe_name(relative) or "://" in relative:
            return None
        relative = relative.replace("\\", "/")
        while relative.startswith("./"):
            relative = relative[2:]
        parents = [str(p) for p in PurePosixPath(near).parents] if near else ["."]
        for parent in parents:
            candidate = relative if parent == "." else f"{parent}/{relative}"
            if candidate in self.names_set:
                return candidate
        return None

    @property
    def names_set(self) -> frozenset[str]:
        cached = getattr(self, "_names_set", None)
        if cached is None:
            cached = self._names_set = frozenset(self.names)
        return cached


class ZipTree(Tree):
    def __init__(self, path: Path, archive, names: list[str]):
        super().__init__(names)
        self.archive = archive
        self.members = ZipMembers(path, names)

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        return member(self.archive, name)

    def opener(self, name: str) -> MediaOpener | None:
        return self.members.opener(name)


class FolderTree(Tree):
    def __init__(self, folder: Path, names: list[str], limits: Limits):
        super().__init__(names)
        self.folder = folder
        self.limits = limits

    def open(self, name: str) -> AbstractContextManager[IO[bytes]]:
        return (self.folder / name).open("rb")

    def opener(self, name: str) -> MediaOpener | None:
        if name not in self.names_set:
            return None
        path = self.folder / name
        if path.stat().st_size > self.limits.max_media_bytes:
            return None

        def open_file() -> AbstractContextManager[IO[bytes]]:
            return path.open("rb")

        return open_file


def folder_files(folder: Path, limits: Limits) -> list[str]:
    """Return the regular files under a folder (links left out), refusing absurd counts."""
    names = []
    for root, dirs, files in os.walk(folder):  # os.walk does not follow links to folders
        base = Path(root)
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
        for name in files:
            path = base / name
            if path.is_symlink() or not path.is_file():
                continue
            names.append(path.relative_to(folder).as_posix())
            if len(names) > limits.max_entries:
                raise ImportFileError(
                    f"{folder.name} holds more than {limits.max_entries:,} files, more than "
                    "houseboat accepts in one export."
                )
    return names


@contextmanager
def open_tree(path: Path, limits: Limits, *, expects: str) -> Iterator[Tree]:
    """Open an export given as a ZIP file or as a folder."""
    if path.is_dir():
        yield FolderTree(path, folder_files(path, limits), limits)
        return
    if not is_zip(path):
        raise ImportFileError(
            f"{path.name} is neither a ZIP file nor a folder: expected {expects}."
        )
    with open_zip(path, limits, expects=expects) as archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        yield ZipTree(path, archive, names)
