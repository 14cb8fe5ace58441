"""Public pages of a campaign's own site: no sign-in, nothing of the team."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from houseboat.campaigns import site
from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePicture, SitePost


def public_campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug, site_public=True).first()
    if campaign is None:
        raise Http404(_("No campaign has a public page at this address."))
    return campaign


@require_safe
def site_index(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = public_campaign(slug)
    return HttpResponse(site.render_index(campaign, site.live_links(campaign)))


@require_safe
def site_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = public_campaign(slug)
    post = get_object_or_404(
        SitePost, pk=pk, campaign=campaign, status__in=[PostStatus.PUBLISHED, PostStatus.REMOVED]
    )
    links = site.live_links(campaign)
    if post.status == PostStatus.REMOVED:
        # 410: gone for good, so search engines and archives drop it; the page says no more.
        return HttpResponse(site.render_removed(campaign, links), status=410)
    return HttpResponse(site.render_post(campaign, post, links))


@require_safe
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = public_campaign(slug)
    xml = site.render_feed(campaign, request.build_absolute_uri(campaign.public_url()))
    return HttpResponse(xml, content_type="application/atom+xml; charset=utf-8")


@require_safe
def picture(request: HttpRequest, slug: str, pk: int, suffix: str) -> FileResponse:
    """A picture of a published post, as the page and the feed link to it."""
    campaign = public_campaign(slug)
    shown = get_object_or_404(
        SitePicture, pk=pk, post__campaign=campaign, post__status=PostStatus.PUBLISHED
    )
    if shown.name != f"{pk}.{suffix}":
        raise Http404(_("No picture at this address."))
    response = FileResponse(shown.file.open("rb"), content_type=shown.mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
