"""The archive's pages: search for every member, imports for editors, retention for owners."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.connectors.constants import Network
from houseboat.core.access import require, team_view
from houseboat.core.constants import Capability
from houseboat.listening import jobs, media
from houseboat.listening.constants import ImportJobState
from houseboat.listening.forms import ArchiveSearchForm, ImportForm, RetentionForm, time_zones
from houseboat.listening.importers import telegram_json
from houseboat.listening.importers.base import ImportFileError, Limits
from houseboat.listening.models import Capture, ImportJob, imports_dir
from houseboat.listening.retention import Purge, purge_archive
from houseboat.listening.search import search
from houseboat.safety.graphic import is_sha256, mark_graphic, unmark_graphic


def latest_archive(team) -> str | None:
    """Return the slug of the team's campaign whose archive last took something in."""
    latest = Capture.objects.filter(campaign__team=team).order_by("-created_at", "-id")
    return latest.values_list("campaign__slug", flat=True).first()


@team_view(Capability.VIEW)
@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    """Search one campaign's archive; the first campaign when none is chosen."""
    campaigns = list(request.team.campaigns.order_by("-starts_on", "name"))
    if not campaigns:
        return render(request, "listening/archive.html", {"form": None, "results": None})
    data = request.GET.copy()
    if data.get("campaign") not in {c.slug for c in campaigns}:
        data["campaign"] = latest_archive(request.team) or campaigns[0].slug
    form = ArchiveSearchForm(data, campaigns=campaigns)
    results = None
    campaign = next(c for c in campaigns if c.slug == data["campaign"])
    if form.is_valid():
        fields = form.cleaned_data
        results = search(
            campaign,
            fields["q"],
            network=fields["network"] or None,
            author=fields["author"] or None,
            hashtag=fields["hashtag"] or None,
            since=fields["since"],
            until=fields["until"],
            has_media=form.has_media(),
            language=fields["language"] or None,
            page=request.GET.get("page") or 1,
        )
        labels = dict(Network.choices)
        for item in results.items:
            item.network_label = labels.get(item.network, item.network)
        media.attach_media(request.team, results.items)
    return render(
        request,
        "listening/archive.html",
        {
            "form": form,
            "results": results,
            "campaign": campaign,
            "asked": form.is_bound
            and any(
                value not in (None, "")
                for key, value in form.cleaned_data.items()
                if key != "campaign"
            ),
        },
        status=200 if results is not None else 400,
    )


@team_view(Capability.VIEW)
@require_safe
def archive_media(request: HttpRequest, sha256: str) -> HttpResponse:
    """Send an archive media file that an item of the team's campaigns uses; else 404.

    Pictures and videos (by their bytes) are shown; anything else is a download.
    """
    sha256 = sha256.lower()
    blob = media.team_blob(request.team, sha256) if is_sha256(sha256) else None
    if blob is None:
        raise Http404(_("No such media file in this team's archive."))
    try:
        handle = open(blob.path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except OSError:
        raise Http404(_("The media file is missing from the archive folder.")) from None
    head = handle.read(media.HEAD_BYTES)
    handle.seek(0)
    shown_type = media.shown_type(head)
    if shown_type:
        response = FileResponse(handle, content_type=shown_type)
    else:
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"media-{sha256[:12]}",
            content_type=media.download_type(blob.mime_type),
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@team_view(Capability.DRAFT)
@require_POST
def archive_media_mark(request: HttpRequest, sha256: str) -> HttpResponse:
    """Mark an archive picture or video graphic (who drafts), or not (editors); go back."""
    sha256 = sha256.lower()
    if not is_sha256(sha256) or media.team_blob(request.team, sha256) is None:
        raise Http404(_("No such media file in this team's archive."))
    if request.POST.get("graphic") == "no":
        require(request.membership, Capability.PUBLISH)
        if unmark_graphic(request.team, sha256):
            messages.success(
                request, _("No longer marked graphic: it is shown as it is, to everyone.")
            )
        else:
            messages.info(request, _("It was not marked graphic by hand."))
    elif mark_graphic(request.team, sha256, by=request.user):
        messages.success(request, _("Marked graphic: it is shown shielded to everyone."))
    else:
        messages.info(request, _("It was already marked graphic."))
    back = request.POST.get("next", "")
    archive_url = reverse("listening:archive", kwargs={"team_slug": request.team.slug})
    if not (
        back.startswith(archive_url)
        and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    ):
        back = archive_url
    return redirect(back)


def team_campaigns(request: HttpRequest) -> list:
    return list(request.team.campaigns.order_by("-starts_on", "name"))


# --- import -------------------------------------------------------------------------------


@csrf_exempt
def import_file(request: HttpRequest, team_slug: str) -> HttpResponse:
    """Upload an export file; it streams into the private imports folder, not into memory."""
    # Upload handlers must be set before anything reads the body, CSRF checks included:
    # the checks run inside, once the role allows an upload at all.
    request.upload_handlers = [jobs.ImportUploadHandler(request)]
    try:
        return _import_file(request, team_slug)
    finally:
        discard_unqueued(request)


def discard_unqueued(request: HttpRequest) -> None:
    """Delete every file this request uploaded that did not become a job.

    The CSRF check of a stale tab, a refused form or an error all end here; without this
    the file would stay in the private imports folder for good.
    """
    if not hasattr(request, "_files"):  # the body was never read: nothing was written
        return
    for _field, uploads in request._files.lists():
        for upload in uploads:
            if not isinstance(upload, jobs.StoredUpload):
                continue
            relative = upload.path.relative_to(imports_dir()).as_posix()
            if not ImportJob.objects.filter(upload=relative).exists():
                jobs.discard(upload)


@team_view(Capability.EDIT_CAMPAIGN)
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def _import_file(request: HttpRequest) -> HttpResponse:
    campaigns = team_campaigns(request)
    formats = jobs.format_choices()
    initial = {"campaign": request.GET.get("campaign", "")}
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        campaigns=campaigns,
        formats=formats,
        initial=initial,
    )
    if request.method == "POST":
        if form.is_valid():
            campaign = next(c for c in campaigns if c.slug == form.cleaned_data["campaign"])
            with transaction.atomic():
                job = jobs.queue_import(
                    campaign=campaign,
                    format=form.cleaned_data["format"],
                    upload=form.cleaned_data["file"],
                    user=request.user,
                    options=form.options(),
                )
                if len(chats_of(job)) > 1:
                    # A whole Telegram account: the person chooses its chats first. Set
                    # before the job is committed, so no worker claims it in between.
                    ImportJob.objects.filter(pk=job.pk).update(state=ImportJobState.CHOOSING)
            return redirect("listening:import_job", team_slug=request.team.slug, pk=job.pk)
        for upload in request.FILES.values():
            jobs.discard(upload)
    recent = ImportJob.objects.filter(campaign__team=request.team).select_related("campaign")[:10]
    return render(
        request,
        "listening/import.html",
        {
            "form": form if campaigns else None,
            "guide": [(name, label, _(jobs.WEB_FORMATS[name])) for name, label in formats],
            "recent": recent,
            "time_zones": time_zones(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


import_file.required_capability = _import_file.required_capability  # type: ignore[attr-defined]


def chats_of(job: ImportJob) -> list[dict]:
    """Return the chats of an uploaded whole-account Telegram export ([] for anything else)."""
    if job.format != "telegram-json" or not job.upload:
        return []
    try:
        return telegram_json.chat_list(imports_dir() / job.upload, Limits())
    except (ImportFileError, OSError):
        return []  # the import itself will say what is wrong with the file


@team_view(Capability.EDIT_CAMPAIGN)
@require_http_methods(["GET", "HEAD", "POST"])
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an import's progress; HTMX asks again every 2 seconds while it runs.

    A whole Telegram account waits here for its chats to be chosen (a checklist).
    """
    job = get_object_or_404(
        ImportJob.objects.select_related("campaign", "capture"), pk=pk, campaign__team=request.team
    )
    chats = chats_of(job) if job.state == ImportJobState.CHOOSING else []
    choice_error = ""
    if request.method == "POST":
        if job.state != ImportJobState.CHOOSING:
            return redirect("listening:import_job", team_slug=request.team.slug, pk=job.pk)
        known = {chat["name"] for chat in chats}
        chosen = [name for name in request.POST.getlist("chat") if name in known]
        if request.POST.get("all") == "yes" or chosen:
            options = {**job.options}
            if chosen and len(chosen) < len(known):
                options["chat"] = chosen
            ImportJob.objects.filter(pk=job.pk, state=ImportJobState.CHOOSING).update(
                state=ImportJobState.QUEUED, options=options
            )
            return redirect("listening:import_job", team_slug=request.team.slug, pk=job.pk)
        choice_error = _("Tick at least one chat, or choose Import every chat.")
    context = {
        "job": job,
        "chats": chats,
        "choice_error": choice_error,
        "report": job.capture.report if job.capture_id and job.capture else {},
        "format_label": jobs.format_label(job.format),
        "search_url": reverse("listening:archive", kwargs={"team_slug": request.team.slug})
        + f"?campaign={job.campaign.slug}",
    }
    if request.htmx:
        return render(request, "listening/_import_progress.html", context)
    return render(request, "listening/import_job.html", context)


# --- retention ----------------------------------------------------------------------------


@team_view(Capability.VIEW)
@require_http_methods(["GET", "HEAD", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    """Purge a campaign's archive, whole or before a date: a form, a count to confirm, done."""
    if not request.membership.can(Capability.MANAGE_TEAM):
        raise PermissionDenied(
            _("Only an owner of %(team)s can purge the archive.") % {"team": request.team.name}
        )
    campaigns = team_campaigns(request)
    form = RetentionForm(
        request.POST or None,
        campaigns=campaigns,
        initial={"campaign": latest_archive(request.team)},
    )
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "listening/retention.html",
            {"form": form if campaigns else None},
            status=400 if form.is_bound else 200,
        )
    campaign = next(c for c in campaigns if c.slug == form.cleaned_data["campaign"])
    purge = Purge(campaign, form.cleaned_data["before"])
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "listening/retention_confirm.html",
            {"form": form, "purge": purge, "count": purge.items().count(), "campaign": campaign},
        )
    result = purge_archive(purge, actor=request.user, request=request)
    messages.success(
        request,
        _(
            "Purged %(items)s items from %(campaign)s and %(media)s media files no other item "
            "used. The chain of custody records the purge."
        )
        % {"items": f"{result.items:,}", "campaign": campaign.name, "media": result.media_files},
    )
    return redirect(
        reverse("listening:archive", kwargs={"team_slug": request.team.slug})
        + f"?campaign={campaign.slug}"
    )
