"""What importers and connectors hand to the ingest pipeline (no Django needed to build one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from houseboat.connectors.base import RemoteItem

MediaOpener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True)
class Restored:
    """What another houseboat stored for an item, kept exactly when an export is restored.

    The pipeline takes these as they are instead of deriving them again (a newer
    language detector or entity rule must not change a restored archive).
    ``raw_json`` is the canonical JSON whose SHA-256 is ``raw_sha256``; ``origin`` is
    the hash of the custody record of the capture that first stored it ("" if none).
    """

    language: str
    hashtags: Sequence[str]
    mentions: Sequence[str]
    links: Sequence[str]
    metrics: Mapping[str, int]
    raw_json: bytes
    raw_sha256: str
    origin: str
    author_first_seen: datetime | None = None
    media_types: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Captured:
    """A RemoteItem with what its source knows of the capture.

    ``captured_at`` is when the record was read from the network (twarc writes it
    down; default: now). ``media_files`` maps a RemoteMedia URL to a function that
    opens the file's bytes, for exports that carry their media. ``restored`` is set
    only when a houseboat export is restored.
    """

    item: RemoteItem
    captured_at: datetime | None = None
    media_files: Mapping[str, MediaOpener] = field(default_factory=dict)
    restored: Restored | None = None


Incoming = RemoteItem | Captured
