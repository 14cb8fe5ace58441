"""The region editor: fix by hand which parts of an attached picture are blurred."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from houseboat.core.access import team_view
from houseboat.core.constants import Capability
from houseboat.core.crypto import EncryptionKeyError
from houseboat.safety.boxes import Box
from houseboat.safety.models import MediaRegions
from houseboat.safety.regions import (
    DETECTED,
    HAND,
    Region,
    RegionError,
    editable,
    find_faces,
    read_source,
    save_regions,
)

PERCENT_FIELDS = ("new_x", "new_y", "new_w", "new_h")


def _record(request: HttpRequest, pk: int) -> MediaRegions:
    """Return the regions of a picture of this team that this person may change, or 404/403.

    Editors and owners may change any picture; a contributor only those of their own
    draft. The unblurred picture is shown to no one else.
    """
    record = get_object_or_404(
        MediaRegions.objects.select_related("attachment__post"),
        attachment_id=pk,
        attachment__post__team=request.team,
    )
    post = record.attachment.post
    own_draft = post.author_id == request.user.pk and post.status == "draft"
    if not (request.membership.can(Capability.PUBLISH) or own_draft):
        raise PermissionDenied(
            _(
                "Only an editor, or the author while the post is a draft, can change "
                "which parts of this picture are blurred."
            )
        )
    return record


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the picture with its boxes; save changed boxes, or look for faces again."""
    record = _record(request, pk)
    if request.method == "GET":
        return _page(request, record, _rows(record.regions))
    try:
        if request.POST.get("action") == "find":
            added = find_faces(record, user=request.user)
            messages.success(request, _found_message(added))
        else:
            regions = _posted_regions(request, record)
            save_regions(record, regions, user=request.user)
            messages.success(request, _saved_message(regions))
    except RegionError as error:
        return _page(request, record, _rows_again(request, record), error=str(error), status=400)
    except (EncryptionKeyError, FileNotFoundError):
        return _page(
            request,
            record,
            _rows(record.regions),
            error=_("The unblurred copy of this picture cannot be read, so nothing was changed."),
            status=409,
        )
    return redirect("safety:regions", team_slug=request.team.slug, pk=pk)


@team_view(Capability.DRAFT)
@require_safe
def source(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the unblurred picture, decrypted, to the person fixing its regions; never cached."""
    record = _record(request, pk)
    try:
        data = read_source(record)
    except (FileNotFoundError, EncryptionKeyError):
        raise Http404(_("The unblurred copy of this picture was deleted.")) from None
    response = HttpResponse(data, content_type=record.attachment.mime_type)
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = "inline"
    return response


# --- Reading the form --------------------------------------------------------------------


def _posted_regions(request: HttpRequest, record: MediaRegions) -> list[Region]:
    """Read the boxes kept on the page and the one added by percent, if any."""
    regions = []
    for row in _posted_rows(request):
        if row["remove"]:
            continue
        try:
            box = Box.from_dict(row)
        except ValueError as error:
            raise RegionError(
                _("A box on the page is damaged: %(error)s") % {"error": error}
            ) from None
        score = _number(row["score"], 1.0)
        regions.append(
            Region(Box(box.x0, box.y0, box.x1, box.y1, score), row["source"], row["blur"])
        )
    new = _percent_region(request, record)
    if new is not None:
        regions.append(new)
    return regions


def _posted_rows(request: HttpRequest) -> list[dict]:
    """Return the boxes as posted, for saving or for showing again after an error."""
    post = request.POST
    keys = post.getlist("key")
    columns = {name: post.getlist(name) for name in ("x0", "y0", "x1", "y1", "source", "score")}
    if any(len(values) != len(keys) for values in columns.values()):
        raise RegionError(_("The boxes on the page were sent incomplete. Reload it and try again."))
    blur, remove = set(post.getlist("blur")), set(post.getlist("remove"))
    return [
        {
            "key": key,
            **{name: values[index] for name, values in columns.items()},
            "source": DETECTED if columns["source"][index] == DETECTED else HAND,
            "blur": key in blur,
            "remove": key in remove,
        }
        for index, key in enumerate(keys)
    ]


def _rows_again(request: HttpRequest, record: MediaRegions) -> list[dict]:
    """Return the boxes as the person left them, or as saved when the form was damaged."""
    try:
        return _posted_rows(request)
    except RegionError:
        return _rows(record.regions)


def _percent_region(request: HttpRequest, record: MediaRegions) -> Region | None:
    """Read the box typed in percent of the picture; None when the fields are empty."""
    values = [request.POST.get(name, "").strip().replace(",", ".") for name in PERCENT_FIELDS]
    if not any(values):
        return None
    try:
        x, y, w, h = (float(value) for value in values)
    except ValueError:
        raise RegionError(
            _(
                "To add a box, fill in all four numbers (from the left, from the top, width, height)."
            )
        ) from None
    if not all(math.isfinite(n) for n in (x, y, w, h)) or w <= 0 or h <= 0:
        raise RegionError(_("A new box needs a width and a height above 0%."))
    width, height = record.width, record.height
    box = Box(
        math.floor(x / 100 * width),
        math.floor(y / 100 * height),
        math.ceil((x + w) / 100 * width),
        math.ceil((y + h) / 100 * height),
    )
    return Region(box, HAND, True)


def _number(value: str, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


# --- The page ----------------------------------------------------------------------------


def _rows(regions: list[dict]) -> list[dict]:
    return [
        {
            "key": str(index),
            **{name: region.get(name) for name in ("x0", "y0", "x1", "y1", "score")},
            "source": region.get("source", HAND),
            "blur": region.get("blur", True),
            "remove": False,
        }
        for index, region in enumerate(regions)
    ]


def _page(
    request: HttpRequest,
    record: MediaRegions,
    rows: list[dict],
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    label_size = _label_size(record)
    for number, row in enumerate(rows, start=1):
        row["number"] = number
        row["percent"] = _as_percent(row, record)
        row["sure"] = round(_number(row["score"], 1.0) * 100)
        row["w"] = _int(row["x1"]) - _int(row["x0"])
        row["h"] = _int(row["y1"]) - _int(row["y0"])
        row["label_x"] = _int(row["x0"]) + label_size // 4
        row["label_y"] = _int(row["y0"]) + label_size
    post = record.attachment.post
    return render(
        request,
        "safety/regions.html",
        {
            "record": record,
            "attachment": record.attachment,
            "post": post,
            "rows": rows,
            "error": error,
            "editable": editable(record),
            "label_size": label_size,
            "blurred": sum(1 for row in rows if row["blur"] and not row["remove"]),
        },
        status=status,
    )


def _label_size(record: MediaRegions) -> int:
    """Return a box number's height in picture pixels: readable at any picture size."""
    return max(12, round(max(record.width, record.height) / 28))


def _int(value) -> int:
    return int(_number(value, 0))


def _as_percent(row: dict, record: MediaRegions) -> str:
    """Describe a box in percent of the picture, for people who cannot see the drawing."""
    if not record.width or not record.height:
        return ""
    x, y = _int(row["x0"]) / record.width * 100, _int(row["y0"]) / record.height * 100
    w = (_int(row["x1"]) - _int(row["x0"])) / record.width * 100
    h = (_int(row["y1"]) - _int(row["y0"])) / record.height * 100
    return _("%(x)d%% from the left, %(y)d%% from the top, %(w)d%% wide, %(h)d%% high") % {
        "x": round(x),
        "y": round(y),
        "w": round(w),
        "h": round(h),
    }


def _saved_message(regions: list[Region]) -> str:
    blurred = sum(1 for region in regions if region.blur)
    if not blurred:
        return _("Saved. Nothing is blurred in the picture that will be published.")
    return _(
        "Saved. %(n)d box(es) are blurred in the picture that will be published; "
        "the blur cannot be undone by anyone who downloads it."
    ) % {"n": blurred}


def _found_message(added: int) -> str:
    if not added:
        return _("No new faces found. Look at the picture yourself: draw a box over any face.")
    return _("%(n)d new face(s) found and blurred. Check each box.") % {"n": added}
