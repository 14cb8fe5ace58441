"""The public tracker on the campaign's own site: public, reviewed entries only.

It never names who recorded, reviewed or submitted anything, shows evidence only as
its hash, date and the redacted excerpt the team wrote for the public, and leaves out
drafts, team-only and private demands, and every change not yet approved.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from houseboat.accountability.services import public_entries, summary
from houseboat.campaigns import site
from houseboat.campaigns.public import public_campaign


@require_safe
def tracker(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = public_campaign(slug)
    entries = public_entries(campaign)
    _counts, line = summary(entry.demand for entry in entries)
    return render(
        request,
        "public/demands.html",
        {
            "campaign": campaign,
            "entries": entries,
            "summary_line": line,
            "links": site.live_links(campaign),
        },
    )
