"""The Publish pages: compose, check live, review, the list of posts, the calendar.

Every change goes through ``houseboat.publishing.services``, which checks the
person's role again, so these pages and the command line keep the same rules.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.campaigns.models import Campaign
from houseboat.connectors.constants import Network
from houseboat.core import worker
from houseboat.core.access import require, team_view
from houseboat.core.constants import Capability
from houseboat.publishing import calendar as cal
from houseboat.publishing import services, status, zones
from houseboat.publishing.constants import DeliveryState, PostStatus, Resolution
from houseboat.publishing.forms import SITE, ComposeForm, initial_for, when_label
from houseboat.publishing.models import Attachment, Delivery, Post, Variant
from houseboat.publishing.preview import Target, TargetCheck, check_target, suggest_thread

# A worker records a heartbeat every round (seconds apart); this long without one and
# nothing scheduled will go out.
WORKER_SILENCE = timedelta(minutes=2)
POSTS_PER_PAGE = 20


def worker_running() -> bool:
    """Tell whether every worker lane was seen lately."""
    return all(lane.running for lane in worker_lanes())


def worker_lanes() -> list[worker.LaneStatus]:
    """Return each worker lane and whether a worker ran it lately, for the banner."""
    return worker.lane_statuses(WORKER_SILENCE.total_seconds())


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    """Render a Publish page in the person's time zone, with the worker warning."""
    zone = context.setdefault("zone", zones.zone_for(request))
    lanes = worker_lanes()
    context.setdefault("worker_lanes", lanes)
    context.setdefault("worker_running", all(lane.running for lane in lanes))
    context.setdefault("worker_idle", not any(lane.running for lane in lanes))
    context.setdefault("can_publish", request.membership.can(Capability.PUBLISH))
    context.setdefault("can_draft", request.membership.can(Capability.DRAFT))
    if context["can_publish"]:
        waiting = Post.objects.filter(team=request.team, status=PostStatus.PENDING_APPROVAL)
        context.setdefault("waiting_count", waiting.count())
    with timezone.override(zone):
        return render(request, template, context, status=status)


def team_post(request: HttpRequest, pk: int) -> Post:
    """The team's post, if this person may read it (see ``services.readable_posts``)."""
    return get_object_or_404(services.readable_posts(request.membership), pk=pk)


def index_url(request: HttpRequest) -> str:
    return reverse("publishing:index", kwargs={"team_slug": request.team.slug})


def edit_url(request: HttpRequest, post: Post) -> str:
    return reverse("publishing:edit", kwargs={"team_slug": request.team.slug, "pk": post.pk})


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Return to the page the form came from, if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


# --- compose -------------------------------------------------------------------------


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    return composer(request, None)


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = team_post(request, pk)
    if post.author_id != request.user.pk:
        # Changing someone else's words is an editor's call.
        require(request.membership, Capability.PUBLISH)
    if post.status not in services.EDITABLE:
        messages.error(
            request, _("This post is already scheduled or sent: cancel it to change it.")
        )
        return redirect(index_url(request))
    return composer(request, post)


def composer(request: HttpRequest, post: Post | None) -> HttpResponse:
    zone = zones.zone_for(request)
    form = build_form(request, post, zone)
    if request.method == "POST" and form.is_valid():
        try:
            refuse_stale(request, post)
            post = save(request, form, post)
        except services.PublishingError as error:
            form.add_error(None, str(error))
        else:
            return act(request, form, post)
    found = checks(form)
    return page(
        request,
        "publishing/compose.html",
        {
            "form": form,
            "post": post,
            "rows": rows(form, found["checks"]),
            "pictures": [
                (item, form[f"alt_{item.pk}"], form[f"remove_{item.pk}"])
                for item in form.attachments
            ],
            "zone": zone,
            **found,
        },
        status=400 if form.errors else 200,
    )


def refuse_stale(request: HttpRequest, post: Post | None) -> None:
    """Refuse to save over a change someone else made while this form was open.

    What the person typed stays in the form; the page they get back carries the new
    version, so saving again is a choice made knowingly.
    """
    read = request.POST.get("version", "")
    if post is not None and read.isdigit() and int(read) != post.version:
        raise services.PublishingError(
            _(
                "This post was changed while you had it open, so nothing was saved or "
                "scheduled. Open the post again to read the new version; your words are still "
                "below to copy."
            )
        )


def build_form(request: HttpRequest, post: Post | None, zone: str) -> ComposeForm:
    attachments = list(post.attachments.all()) if post else []
    if post is not None:
        initial = initial_for(post, zone)
    elif source := copied_post(request):
        initial = again(source, zone)
    else:
        initial = initial_for(None, zone, campaign=default_campaign(request))
    return ComposeForm(
        request.POST or None,
        request.FILES or None,
        team=request.team,
        zone=zone,
        attachments=attachments,
        initial=initial,
    )


def default_campaign(request: HttpRequest) -> Campaign | None:
    """The campaign a new post belongs to: the one asked for, else the one running now.

    Choosing one by default also chooses its own site, so the campaign keeps a copy.
    """
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    asked = request.GET.get("campaign", "")
    if chosen := next((c for c in campaigns if c.slug == asked), None):
        return chosen
    today = timezone.localdate()
    running = [
        c
        for c in campaigns
        if (c.starts_on is None or c.starts_on <= today)
        and (c.ends_on is None or c.ends_on >= today)
    ]
    if len(campaigns) == 1:
        return campaigns[0]
    return running[0] if running else None


def again(source: Post, zone: str) -> dict[str, Any]:
    """Start a new post from one that did not reach every channel: same words, and only
    the channels it missed, so nothing goes out twice where it already went."""
    initial = initial_for(source, zone)
    initial["when"], initial["at"] = "now", ""
    reached = {
        variant.channel_id
        for variant in source.variants.prefetch_related("deliveries")
        if variant.deliveries.all()
        and all(d.state == DeliveryState.SENT for d in variant.deliveries.all())
    }
    initial["channels"] = [pk for pk in initial["channels"] if pk not in reached]
    site = source.variants.filter(channel__network=Network.OWN_SITE).first()
    if site is not None and site.channel_id in reached:
        initial["skip_own_site"] = True
    return initial


def copied_post(request: HttpRequest) -> Post | None:
    """A post to start from ("write it again"), if the address names one of the team's."""
    pk = request.GET.get("from", "")
    if not pk.isdigit():
        return None
    # A held statement is never a starting point: copied out, it would escape its switch.
    posts = services.readable_posts(request.membership).exclude(status=PostStatus.HELD)
    return posts.filter(pk=pk).first()


def rows(form: ComposeForm, found: dict[str, TargetCheck]) -> list[dict[str, Any]]:
    """One row per place the post may go (the own site, then each channel), with its check."""
    chosen = {target.key: target for target in form.targets()}
    campaign = form.chosen_campaign()
    listed = [
        {
            "key": SITE,
            "label": _("Our own site")
            if campaign is None
            else _("Own site of %(name)s") % {"name": campaign.name},
            "network": Network.OWN_SITE.label,
            "box": form["skip_own_site"],
            "is_site": True,
            "has_campaign": campaign is not None,
            "chosen": SITE in chosen,
            "text": form[f"text_{SITE}"],
            "parts": form.channel_parts(SITE),
            "takes_media": False,
            "check": found.get(SITE),
        }
    ]
    boxes = {str(box.data["value"]): box for box in form["channels"]}
    for channel in form.channel_list:
        key = str(channel.pk)
        target = Target(key, channel.name, channel.network, channel.config)
        listed.append(
            {
                "key": key,
                "label": channel.name,
                "network": channel.get_network_display(),
                "box": boxes.get(key),
                "is_site": False,
                "chosen": key in chosen,
                "text": form[f"text_{key}"],
                "parts": form.channel_parts(key),
                "takes_media": target.takes_media,
                "status": channel.get_status_display() if channel.status != "ok" else "",
                "check": found.get(key),
            }
        )
    return listed


def checks(form: ComposeForm) -> dict[str, Any]:
    """Measure every chosen target, as the server will before scheduling."""
    media = [attachment.media_file() for attachment in form.attachments]
    link = str(form.value("link") or "")
    found: dict[str, TargetCheck] = {}
    for target in form.targets():
        found[target.key] = check_target(
            target,
            form.texts_for(target.key),
            link=link,
            campaign=form.chosen_campaign(),
            media=[item for item in media if item.path.exists()],
        )
    return {
        "checks": found,
        "risks": risks(form),
        # An empty new form is not wrong yet: no problems until the person starts.
        "fresh": not form.is_bound and not form.value("text"),
        "problems": [message for check in found.values() for message in check.problems],
        "notes": [message for check in found.values() for message in check.notes],
    }


def risks(form: ComposeForm) -> list[str]:
    """What in the words or pictures could endanger someone (safety's review), once each.

    Shown beside the limits but never blocking: the author fixes it or goes ahead. Faces
    are not looked for here, since the check runs as the person types; pictures can be
    blurred when they are added.
    """
    words = [form.value("text") or ""]
    for target in form.targets():
        words.extend(form.texts_for(target.key))
    paths = [item.file.path for item in form.attachments if item.file]
    return services.risk_messages(form.team, words, paths)


@transaction.atomic
def save_words(request: HttpRequest, form: ComposeForm, post: Post | None) -> Post:
    """Save the message, channels, time and each channel's words as a draft."""
    data, membership = form.cleaned_data, request.membership
    zones.remember_zone(request, data["time_zone"])
    fields = {
        "text": data["text"],
        "channels": data["channels"],
        "campaign": data["campaign"],
        "link": data["link"],
        "scheduled_at": data["scheduled_at"],
        "own_site": not data["skip_own_site"],
        "queued": data["queued"],
    }
    if post is None:
        post = services.create_post(membership=membership, **fields)
    else:
        services.update_post(membership, post, **fields)
    message = data["text"].strip()
    for variant in post.variants.select_related("channel"):
        if variant.channel is None:
            continue
        key = SITE if variant.channel.network == Network.OWN_SITE else str(variant.channel_id)
        words = form.channel_text(key)
        # The message itself, unchanged, is no variant: later edits of it should reach here.
        services.edit_variant(
            membership,
            variant,
            text="" if words == message else words,
            parts=form.channel_parts(key),
        )
    for attachment in form.attachments:
        if data.get(f"remove_{attachment.pk}"):
            services.remove_attachment(membership, attachment)
        else:
            services.describe_attachment(
                membership, attachment, data.get(f"alt_{attachment.pk}", "")
            )
    return post


def save(request: HttpRequest, form: ComposeForm, post: Post | None) -> Post:
    """Save the draft, then clean and attach each new file; a bad file loses no words."""
    post = save_words(request, form, post)
    # numpy and Pillow load only when someone attaches a file, not with every page.
    from houseboat.safety.media import MediaError

    for upload in form.cleaned_data["upload"]:
        try:
            with uploaded_path(upload) as path:
                services.add_attachment(
                    request.membership, post, path, blur_faces=form.cleaned_data["blur_faces"]
                )
        except MediaError as error:
            messages.error(
                request,
                _("%(file)s was not attached: %(error)s") % {"file": upload.name, "error": error},
            )
    return post


@contextmanager
def uploaded_path(upload: UploadedFile) -> Iterator[Path]:
    """Give an uploaded file a path on disk for the sanitiser; remove it afterwards.

    The path ends in the person's own file name, so what the sanitiser says about the
    file names it as they know it, never as a temporary file of the server.
    """
    with tempfile.TemporaryDirectory(prefix="houseboat-upload-") as folder:
        path = Path(folder) / person_file_name(upload.name or "")
        try:
            os.link(upload.temporary_file_path(), path)  # a big upload is not copied
        except (AttributeError, OSError):
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
        yield path


def person_file_name(name: str) -> str:
    try:
        return get_valid_filename(Path(name).name)[:200] or "upload"
    except SuspiciousFileOperation:  # nothing usable is left of the name
        return "upload"


def act(request: HttpRequest, form: ComposeForm, post: Post) -> HttpResponse:
    """Do what the pressed button asked, now that the draft is saved."""
    note = form.cleaned_data["time_note"]
    if note:
        messages.warning(request, note)
    if key := request.POST.get("split"):
        return split(request, post, key)
    if key := request.POST.get("unsplit"):
        variant = variant_for(post, key)
        if variant is not None:
            services.edit_variant(request.membership, variant, parts=[])
        return redirect(edit_url(request, post) + f"#target-{key}")
    action = request.POST.get("action", "save")
    try:
        if action == "submit":
            services.submit(request.membership, post)
            messages.success(
                request, _("Sent to an editor for approval. You will see their answer here.")
            )
            return redirect(index_url(request))
        if action == "schedule":
            return schedule(request, post, form.cleaned_data["time_zone"])
    except services.PublishingError as error:
        messages.error(request, str(error))
        return redirect(edit_url(request, post))
    messages.success(request, _("Draft saved. Nothing goes out until it is scheduled."))
    return redirect(edit_url(request, post))


def schedule(request: HttpRequest, post: Post, zone: str) -> HttpResponse:
    require(request.membership, Capability.PUBLISH)
    if post.status == PostStatus.PENDING_APPROVAL:
        services.approve(request.membership, post)
    else:
        services.schedule(request.membership, post)
    count = post.variants.count()
    if post.queued:
        messages.success(request, queued_message(post, zone))
        return redirect(index_url(request) + f"#post-{post.pk}")
    if post.scheduled_at is None:
        text = _("Sent to the queue: it goes out to %(n)s channel(s) within a minute.")
    else:
        text = _("Scheduled for %(when)s on %(n)s channel(s).")
    messages.success(request, text % {"n": count, "when": when_label(post.scheduled_at, zone)})
    return redirect(index_url(request))


def queued_message(post: Post, zone: str) -> str:
    """Say when each channel's copy goes out, now that the queue gave each its time."""
    firsts = Delivery.objects.filter(variant__post=post, part=0).select_related("variant__channel")
    times = "; ".join(
        f"{d.variant.channel.name if d.variant.channel else '—'}: "
        f"{zones.local(d.due_at, zone):%a %d %b, %H:%M}"
        for d in sorted(firsts, key=lambda d: (d.due_at, d.pk))
    )
    return _("Added to the queue (times in %(zone)s): %(times)s.") % {
        "zone": zone,
        "times": times,
    }


def variant_for(post: Post, key: str) -> Variant | None:
    variants = post.variants.select_related("channel")
    if key == SITE:
        return variants.filter(channel__network=Network.OWN_SITE).first()
    return variants.filter(channel_id=key).first() if key.isdigit() else None


def split(request: HttpRequest, post: Post, key: str) -> HttpResponse:
    """Make one channel's text a numbered thread whose parts each fit."""
    variant = variant_for(post, key)
    if variant is None or variant.channel is None:
        messages.error(request, _("Choose that channel first, then split its text."))
        return redirect(edit_url(request, post))
    channel = variant.channel
    target = Target(key, channel.name, channel.network, channel.config)
    if "threads" not in channel.manifest["can"]:
        messages.error(
            request,
            _("%(name)s cannot take a thread: shorten the text instead.") % {"name": channel.name},
        )
        return redirect(edit_url(request, post))
    try:
        parts = suggest_thread(
            target, variant.text or post.text, link=post.link, campaign=post.campaign
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect(edit_url(request, post))
    services.edit_variant(request.membership, variant, parts=parts)
    messages.success(
        request,
        _("Split into %(n)s parts for %(name)s. Read them through and change any of them below.")
        % {"n": len(parts), "name": channel.name},
    )
    return redirect(edit_url(request, post) + f"#target-{key}")


@team_view(Capability.DRAFT)
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """Answer the composer's live check: the summary, and each channel's counter."""
    zone = zones.zone_for(request)
    post = None
    if (pk := request.POST.get("post", "")).isdigit():
        post = services.readable_posts(request.membership).filter(pk=pk).first()
    attachments = list(post.attachments.all()) if post else []
    form = ComposeForm(request.POST, team=request.team, zone=zone, attachments=attachments)
    form.is_valid()  # the time's problems come from clean(); the rest reads raw values
    found = checks(form)
    context = {"form": form, "rows": rows(form, found["checks"]), "oob": True, **found}
    return page(request, "publishing/_checks.html", context)


@team_view(Capability.VIEW)
@require_safe
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a cleaned picture to the team (never to anyone else), e.g. as a thumbnail."""
    item = get_object_or_404(
        Attachment, pk=pk, post__in=services.readable_posts(request.membership)
    )
    response = FileResponse(item.file.open("rb"), content_type=item.mime_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- review ------------------------------------------------------------------------------


@team_view(Capability.PUBLISH)
@require_safe
def review(request: HttpRequest) -> HttpResponse:
    posts = (
        Post.objects.filter(team=request.team, status=PostStatus.PENDING_APPROVAL)
        .select_related("author", "campaign")
        .prefetch_related(
            Prefetch("variants", Variant.objects.select_related("channel", "post__campaign")),
            "variants__media",
            "attachments",
        )
        .order_by("created_at")
    )
    waiting = [
        {
            "post": post,
            # What the author was warned about, for the approver to weigh before approving.
            "risks": services.post_risks(post),
            "variants": [
                {
                    "variant": variant,
                    "texts": services.part_texts(variant),
                    "problems": services.variant_problems(variant),
                }
                for variant in post.variants.all()
            ],
        }
        for post in posts
    ]
    return page(request, "publishing/review.html", {"waiting": waiting})


@team_view(Capability.PUBLISH)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, send back or reject a post waiting for approval."""
    post = team_post(request, pk)
    comment = request.POST.get("comment", "").strip()
    action = request.POST.get("action", "")
    read = request.POST.get("version", "")
    try:
        if action == "approve":
            if not read.isdigit():
                raise services.PublishingError(
                    _("Approve from the Review page, where you read the post first.")
                )
            services.approve(request.membership, post, comment=comment, version=int(read))
            zone = zones.zone_for(request)
            if post.queued:
                messages.success(request, _("Approved. ") + queued_message(post, zone))
            else:
                messages.success(
                    request,
                    _("Approved. It goes out %(when)s.")
                    % {"when": when_label(post.scheduled_at, zone)},
                )
        elif action == "send_back":
            services.send_back(request.membership, post, comment=comment)
            messages.success(
                request, _("Sent back to %(author)s with your comment.") % {"author": post.author}
            )
        elif action == "reject":
            services.reject(request.membership, post, comment=comment)
            messages.success(request, _("Rejected. The post is kept, cancelled, with your reason."))
        else:
            messages.error(request, _("Choose approve, send back or reject."))
    except services.PublishingError as error:
        messages.error(request, str(error))
    return redirect(reverse("publishing:review", kwargs={"team_slug": request.team.slug}))


# --- the list --------------------------------------------------------------------------


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("show", "")
    posts = (
        # Statements held by a dead-man switch are its holder's and the owners' business,
        # shown on the dead-man pages only, never to every member in this list.
        Post.objects.filter(team=request.team)
        .exclude(status=PostStatus.HELD)
        .select_related("author", "campaign", "takedown")
        .prefetch_related(
            Prefetch(
                "variants",
                Variant.objects.select_related("channel").prefetch_related(
                    Prefetch(
                        "deliveries",
                        Delivery.objects.select_related("takedown_task").order_by("part"),
                    )
                ),
            )
        )
        .order_by("-created_at", "-id")
    )
    posts = status.filtered(posts, shown)
    listing = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return page(
        request,
        "publishing/index.html",
        {
            "page": listing,
            "posts": [status.describe(post, request.membership) for post in listing.object_list],
            "shown": shown,
            "tabs": status.TABS,
            "resolutions": Resolution,
        },
    )


@team_view(Capability.DRAFT)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    post = team_post(request, pk)
    try:
        stopped = services.cancel(request.membership, post)
    except services.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Cancelled. %(n)s part(s) that had not gone out were stopped.") % {"n": stopped},
        )
    return back(request, index_url(request))


@team_view(Capability.PUBLISH)
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a person's decision about a delivery houseboat could not tell about."""
    delivery = get_object_or_404(
        Delivery.objects.select_related("variant__post", "variant__channel"),
        pk=pk,
        variant__post__team=request.team,
    )
    decision = request.POST.get("decision", "")
    url = request.POST.get("remote_url", "").strip()
    if decision == Resolution.POSTED and url and not url.startswith(("https://", "http://")):
        messages.error(request, _("Paste the whole link of the post, starting with https://"))
        return back(request, index_url(request))
    try:
        services.resolve_unknown(request.membership, delivery, decision, remote_url=url)
    except services.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Marked as gone out.")
            if decision == Resolution.POSTED
            else _("It will be posted again within a minute."),
        )
    return back(request, index_url(request))


@team_view(Capability.PUBLISH)
@require_POST
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a scheduled post to a new time, entered in the person's zone."""
    post = team_post(request, pk)
    zone = request.POST.get("time_zone", "")
    zone = zone if zones.is_zone(zone) else zones.zone_for(request)
    wall = zones.parse_local(request.POST.get("at", ""))
    fallback = reverse("publishing:calendar", kwargs={"team_slug": request.team.slug})
    if wall is None:
        messages.error(request, _("Give the new date and time."))
        return back(request, fallback)
    try:
        reading = zones.read_local(wall, zone)
        if reading.utc < timezone.now():
            raise services.PublishingError(_("That time has already passed: choose a later one."))
        moved = services.reschedule(request.membership, post, at=reading.utc)
    except services.PublishingError as error:
        messages.error(request, str(error))
        return back(request, fallback)
    if reading.note:
        messages.warning(request, reading.note)
    messages.success(
        request,
        _("Moved to %(when)s (%(n)s part(s) not yet sent).")
        % {"when": when_label(reading.utc, zone), "n": moved},
    )
    return back(request, fallback)


# --- the calendar -----------------------------------------------------------------------


@team_view(Capability.VIEW)
@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    zone = zones.zone_for(request)
    view = cal.View.read(request.GET, zone)
    channels = list(request.team.channels.order_by("network", "name"))
    channel_id = request.GET.get("channel", "")
    days = cal.days(request.team, view, zone, channel_id=channel_id if channel_id.isdigit() else "")
    return page(
        request,
        "publishing/calendar.html",
        {
            "view": view,
            "days": days,
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "channels": channels,
            "channel_id": channel_id,
            "zone": zone,
            "zone_names": zones.names_with(zone),
            "legend": [
                (DeliveryState.SCHEDULED, _("scheduled")),
                (DeliveryState.SENT, _("sent")),
                (DeliveryState.FAILED, _("failed")),
                (DeliveryState.UNKNOWN, _("unknown: check on the network before reposting")),
            ],
            "zone_keep": [
                ("view", view.kind),
                ("date", view.anchor.isoformat()),
                ("channel", channel_id),
            ],
        },
    )
