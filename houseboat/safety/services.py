"""What other apps call: the review before posting, alerts on incoming items, the shield.

Other apps import from here, never from the safety app's other modules, so those
can change without breaking callers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from houseboat.safety.risk import Risk, review

if TYPE_CHECKING:
    from houseboat.core.models import Team

__all__ = ["Risk", "review_post"]


def review_post(
    text: str, media_paths: Sequence[Path], *, team: Team | None, check_faces: bool = True
) -> list[Risk]:
    """Return what in a post could endanger someone; an empty list when nothing does.

    For the composer, before a post is scheduled: show each risk's ``message``
    (highlight ``span`` in the text, or name ``path``) and let the author fix
    the post or confirm. See houseboat.safety.risk.review.
    """
    return review(text, list(media_paths), team=team, check_faces=check_faces)
