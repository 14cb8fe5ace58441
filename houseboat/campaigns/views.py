"""The team's campaigns: list, dashboard, create and edit, and posts for the own site."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.forms import CampaignForm, SitePostForm
from houseboat.campaigns.models import Campaign, SitePost
from houseboat.core.access import require, team_view
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.services import audit


def team_campaign(request: HttpRequest, slug: str) -> Campaign:
    """Return the team's campaign by slug, or 404 (never another team's)."""
    return get_object_or_404(Campaign.objects.select_related("team"), team=request.team, slug=slug)


@team_view(Capability.VIEW)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    campaigns = request.team.campaigns.annotate(
        published=Count("site_posts", filter=Q(site_posts__status=PostStatus.PUBLISHED)),
        drafts=Count("site_posts", filter=Q(site_posts__status=PostStatus.DRAFT)),
    ).order_by("-starts_on", "name")
    return render(request, "campaigns/index.html", {"campaigns": campaigns})


@team_view(Capability.EDIT_CAMPAIGN)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, team=request.team)
    if request.method == "POST" and form.is_valid():
        form.instance.team = request.team
        campaign = form.save()
        audit(
            AuditAction.CAMPAIGN_CREATED, request=request, team=request.team, target=campaign.name
        )
        messages.success(request, _("Campaign created."))
        return redirect(campaign)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "campaign": None},
        status=400 if form.errors else 200,
    )


@team_view(Capability.VIEW)
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = team_campaign(request, slug)
    posts = campaign.site_posts.order_by("status", "-published_at", "-created_at")
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "posts": posts,
            "can_edit": request.membership.can(Capability.EDIT_CAMPAIGN),
            "can_draft": request.membership.can(Capability.DRAFT),
            "can_publish": request.membership.can(Capability.PUBLISH),
        },
    )


@team_view(Capability.EDIT_CAMPAIGN)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = team_campaign(request, slug)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        audit(
            AuditAction.CAMPAIGN_UPDATED,
            request=request,
            team=request.team,
            target=campaign.name,
            detail=", ".join(form.changed_data),
        )
        messages.success(request, _("Campaign saved."))
        return redirect(campaign)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = team_campaign(request, slug)
    return edit_post(request, campaign, SitePost(campaign=campaign, author=request.user))


@team_view(Capability.DRAFT)
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = team_campaign(request, slug)
    post = get_object_or_404(SitePost, pk=pk, campaign=campaign)
    if post.author_id != request.user.pk or post.is_published:
        # Changing someone else's words, or words already public, is an editor's call.
        require(request.membership, Capability.PUBLISH)
    return edit_post(request, campaign, post)


def edit_post(request: HttpRequest, campaign: Campaign, post: SitePost) -> HttpResponse:
    """Save a draft; publish too when the button says so and the role allows it."""
    form = SitePostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        publish_now = "publish" in request.POST
        if publish_now:
            require(request.membership, Capability.PUBLISH)
        is_new = post.pk is None
        with transaction.atomic():
            post = form.save()
            if is_new:
                audit(
                    AuditAction.POST_DRAFTED, request=request, team=request.team, target=post.title
                )
            if publish_now and not post.is_published:
                publish(request, post)
        messages.success(
            request,
            _("Published on the campaign's own site.") if publish_now else _("Draft saved."),
        )
        return redirect(campaign)
    return render(
        request,
        "campaigns/post_form.html",
        {
            "form": form,
            "campaign": campaign,
            "post": post,
            "can_publish": request.membership.can(Capability.PUBLISH),
        },
        status=400 if form.errors else 200,
    )


def publish(request: HttpRequest, post: SitePost) -> None:
    post.status = PostStatus.PUBLISHED
    post.published_at = timezone.now()
    post.save(update_fields=["status", "published_at", "updated_at"])
    audit(AuditAction.POST_PUBLISHED, request=request, team=request.team, target=post.title)


@team_view(Capability.PUBLISH)
@require_POST
def post_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = team_campaign(request, slug)
    post = get_object_or_404(SitePost, pk=pk, campaign=campaign)
    if not post.is_published:
        publish(request, post)
        messages.success(request, _("Published on the campaign's own site."))
    return redirect(campaign)


@team_view(Capability.PUBLISH)
@require_POST
def post_unpublish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = team_campaign(request, slug)
    post = get_object_or_404(SitePost, pk=pk, campaign=campaign)
    if post.is_published:
        post.status = PostStatus.DRAFT
        post.save(update_fields=["status", "updated_at"])
        audit(AuditAction.POST_UNPUBLISHED, request=request, team=request.team, target=post.title)
        messages.success(request, _("Taken down from the public page. It is a draft again."))
    return redirect(campaign)
