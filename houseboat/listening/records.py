"""What importers and connectors hand to the ingest pipeline (no Django needed to build one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from houseboat.connectors.base import RemoteItem

MediaOpener = Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True)
class Captured:
    """A RemoteItem with what its source knows of the capture.

    ``captured_at`` is when the record was read from the network (twarc writes it
    down; default: now). ``media_files`` maps a RemoteMedia URL to a function that
    opens the file's bytes, for exports that carry their media.
    """

    item: RemoteItem
    captured_at: datetime | None = None
    media_files: Mapping[str, MediaOpener] = field(default_factory=dict)


Incoming = RemoteItem | Captured
