"""Small counts hidden, so no person can be singled out from a safety figure.

The rule, printed in every report:

1. **Primary suppression.** A count from 1 to 4 is shown as "fewer than 5", in the
   report and in its CSV. 0 and 5 or more are shown as they are: "none" tells no
   one anything about a person, and 5 hides each among at least four others.
2. **Secondary suppression.** A total over counts of which any was suppressed is
   not shown either, because the total minus the shown counts would give the hidden
   one back. The report shows no other sum or difference of safety counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

THRESHOLD = 5
FEWER = _("fewer than 5")
WITHHELD = _("not shown (it would reveal a small count)")


def suppressed(count: int) -> bool:
    """Tell whether a count must be hidden: 1 to 4."""
    return 0 < count < THRESHOLD


def cell(count: int) -> int | str:
    """Return the count, or "fewer than 5" in its place when it is 1 to 4."""
    return str(FEWER) if suppressed(count) else count


@dataclass(frozen=True)
class Group:
    """Counts shown side by side with their total, after both kinds of suppression."""

    rows: list[tuple[str, int | str]]
    total: int | str


def group(counts: Sequence[tuple[str, int]], total: int | None = None) -> Group:
    """Suppress small counts and, where one was, the total that would reveal it.

    ``total`` defaults to the sum of the counts; pass it when the counts overlap (an
    alert of two kinds counts under both) and the total is counted on its own.
    """
    whole = sum(n for _label, n in counts) if total is None else total
    rows = [(label, cell(n)) for label, n in counts]
    if any(suppressed(n) for _label, n in counts):
        return Group(rows, str(WITHHELD))
    return Group(rows, cell(whole))
