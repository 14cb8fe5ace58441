"""The public tracker on the campaign's own site: public, reviewed entries only.

It never names who recorded, reviewed or submitted anything, shows evidence only as
its hash, date and the redacted excerpt the team wrote for the public, and leaves out
drafts, team-only and private demands, and every change not yet approved.
"""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from houseboat.accountability.services import public_demands, public_entries, summary
from houseboat.campaigns import site
from houseboat.campaigns.models import Campaign
from houseboat.campaigns.public import public_campaign


def render_tracker(campaign: Campaign, links: site.SiteLinks) -> str:
    """The tracker page, the same live and in `houseboat export-site`'s static copy."""
    entries = public_entries(campaign)
    _counts, line = summary(entry.demand for entry in entries)
    return render_to_string(
        "public/demands.html",
        {"campaign": campaign, "entries": entries, "summary_line": line, "links": links},
    )


# The campaign's own page links to the tracker once it has a public demand, and the
# static copy carries it as demands/index.html.
SECTION = site.SiteSection(
    path="demands/",
    title=lambda: gettext("What we asked for, and what was done"),
    shown=lambda campaign: public_demands(campaign).exists(),
    render=render_tracker,
)


@require_safe
def tracker(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = public_campaign(slug)
    return HttpResponse(render_tracker(campaign, site.live_links(campaign)))
