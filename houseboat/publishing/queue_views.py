"""The Posting times pages: each channel's queue of weekly times, and editing one.

Changes go through ``houseboat.publishing.queue.set_slots``, which checks the role again
and writes the audit log, as the command line does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.publishing import calendar as cal
from houseboat.publishing import queue, zones
from houseboat.publishing.forms import team_channels
from houseboat.publishing.services import PublishingError
from houseboat.publishing.views import page

# Empty rows offered for new times under the ones a channel has.
BLANK_ROWS = 2
MAX_ROWS = 48


@dataclass
class Row:
    """One time of day and the weekdays it is used on, as shown and as typed."""

    index: int
    at: str = ""
    days: set[int] = field(default_factory=set)
    error: str = ""


def weekdays() -> list[tuple[int, str, str]]:
    """(number, short label, full name) of each weekday (Monday 0), in the order of the
    language's week: Saturday first in Persian, Monday in French."""
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday")]
    names += [_("Saturday"), _("Sunday")]
    shorts = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    days = list(zip(range(7), shorts, names, strict=True))
    first = cal.first_day_of_week()
    return days[first:] + days[:first]


def rows_for(slots: list[queue.Slot], blanks: int = BLANK_ROWS) -> list[Row]:
    rows = [
        Row(i, at.strftime("%H:%M"), set(days)) for i, (at, days) in enumerate(queue.grouped(slots))
    ]
    return rows + [Row(len(rows) + i) for i in range(blanks)]


def read_rows(request: HttpRequest) -> list[Row]:
    """Read the rows as typed, each with its error; nothing is saved here."""
    try:
        count = min(int(request.POST.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        days = {int(d) for d in request.POST.getlist(f"day-{i}") if d in "0123456" and d}
        row = Row(i, request.POST.get(f"time-{i}", "").strip(), days)
        if row.at:
            try:
                time.fromisoformat(row.at)
            except ValueError:
                row.error = _("“%(at)s” is not a time of day: write it as HH:MM, e.g. 09:00.") % {
                    "at": row.at
                }
            else:
                if not row.days:
                    row.error = _("Tick at least one day for %(at)s, or clear the time.") % {
                        "at": row.at
                    }
        elif row.days:
            row.error = _("Give a time for the days ticked in this row, or untick them.")
        rows.append(row)
    return rows


def slots_in(rows: list[Row]) -> list[queue.Slot]:
    return [
        (day, time.fromisoformat(row.at).replace(second=0))
        for row in rows
        if row.at
        for day in row.days
    ]


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every channel's posting times, and its next free one."""
    channels = list(team_channels(request.team).prefetch_related("queue_slots"))
    listed = []
    for channel in channels:
        slots = [(s.weekday, s.time) for s in channel.queue_slots.all()]
        listed.append(
            {
                "channel": channel,
                "summary": queue.describe(slots) if slots else "",
                "zone": slots and channel.queue_slots.all()[0].time_zone,
                "next": queue.next_free(channel) if slots else None,
            }
        )
    return page(request, "publishing/queue.html", {"listed": listed})


@team_view(Capability.PUBLISH)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one channel's weekly posting times (editors and owners)."""
    channel = get_object_or_404(team_channels(request.team), pk=pk)
    saved = queue.slots_of(channel)
    zone = queue.zone_of(channel)
    suggested = False
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        rows = read_rows(request)
        asked = request.POST.get("time_zone", "")
        zone = asked if zones.is_zone(asked) else zone
        if action == "suggest":
            rows, suggested = rows_for(list(queue.SUGGESTED)), True
        elif action == "add_row":
            rows.append(Row(len(rows)))
        elif any(row.error for row in rows):
            errors.append(_("Nothing was saved: fix the rows marked below."))
        else:
            try:
                queue.set_slots(request.membership, channel, slots_in(rows), zone)
            except PublishingError as error:
                errors.append(str(error))
            else:
                messages.success(
                    request,
                    _("Posting times of %(name)s saved: %(times)s (%(zone)s).")
                    % {
                        "name": channel.name,
                        "times": queue.describe(slots_in(rows)),
                        "zone": zone,
                    },
                )
                return redirect(
                    reverse("publishing:queue", kwargs={"team_slug": request.team.slug})
                )
    elif saved:
        rows = rows_for(saved)
    else:
        rows, suggested = rows_for(list(queue.SUGGESTED)), True
    return page(
        request,
        "publishing/queue_edit.html",
        {
            "channel": channel,
            "rows": rows,
            "row_count": len(rows),
            "days": weekdays(),
            "slot_zone": zone,
            "zone_names": zones.names_with(zone),
            "suggested": suggested,
            "has_saved": bool(saved),
            "saved_summary": queue.describe(saved),
            "errors": errors,
            "next": queue.next_free(channel) if saved else None,
        },
        status=400 if errors else 200,
    )
