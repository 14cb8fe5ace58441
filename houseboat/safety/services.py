"""What other apps call: the review before posting, alerts on incoming items, the shield.

Other apps import from here, never from the safety app's other modules, so those
can change without breaking callers.

- Publishing (the composer): ``review_post`` before a post is scheduled.
- Listening (the worker's alert step, after items are stored): ``raise_alerts`` with
  each batch of new items, and ``apply_graphic_rules`` with the media of the items
  that carry some.
- Publishing (attaching a picture): ``prepare_source`` (heavy, before the transaction)
  then ``record_source`` (or ``remember_upload`` for both) keeps the unblurred copy and
  the face boxes, so the region editor can fix the blur by hand before publishing.
- Any page that shows media: ``graphic_hashes`` to know which to shield, then the
  ``safety/graphic_media.html`` include (and ``safety/mark_graphic_button.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from houseboat.safety.alerts import (
    AlertMatch,
    AlertRecord,
    evaluate,
    raise_alerts,
    raise_pile_on,
)
from houseboat.safety.graphic import MediaRecord, apply_graphic_rules, graphic_hashes, mark_graphic
from houseboat.safety.regions import (
    discard_prepared,
    prepare_source,
    record_source,
    remember_upload,
)
from houseboat.safety.risk import Risk, review

if TYPE_CHECKING:
    from houseboat.core.models import Team

__all__ = [
    "AlertMatch",
    "AlertRecord",
    "MediaRecord",
    "Risk",
    "apply_graphic_rules",
    "discard_prepared",
    "evaluate",
    "graphic_hashes",
    "mark_graphic",
    "prepare_source",
    "raise_alerts",
    "raise_pile_on",
    "record_source",
    "remember_upload",
    "review_post",
]


def review_post(
    text: str, media_paths: Sequence[Path], *, team: Team | None, check_faces: bool = True
) -> list[Risk]:
    """Return what in a post could endanger someone; an empty list when nothing does.

    For the composer, before a post is scheduled: show each risk's ``message``
    (highlight ``span`` in the text, or name ``path``) and let the author fix
    the post or confirm. See houseboat.safety.risk.review.
    """
    return review(text, list(media_paths), team=team, check_faces=check_faces)
