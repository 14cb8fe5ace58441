"""The public tracker: public, reviewed entries only; nobody of the team is named."""

import pytest
from django.test import Client

from houseboat.accountability.constants import Decision, Progress, Response, Verdict, Visibility
from houseboat.accountability.services import (
    Evidence,
    create_demand,
    record_change,
    record_response,
    review,
)
from houseboat.core.models import Membership

pytestmark = pytest.mark.django_db

URL = "/c/free-the-ten/demands/"


def approve(entry, user):
    review(entry, membership=Membership.objects.get(user=user), decision=Decision.APPROVED)


@pytest.fixture
def published(campaign_a, alice, bob, charlie, items):
    public = create_demand(
        campaign_a,
        title="Lawyers for all ten",
        ref="RT-2",
        by=charlie,
        draft=False,
        visibility=Visibility.PUBLIC,
        targets=["Ministry of Justice"],
    )
    approve(
        record_change(
            public,
            verdict=Verdict.IMPLEMENTED,
            by=charlie,
            rationale="Approved change, call Ana on +44 20 7946 0958 or ana@example.org",
            evidence=[Evidence(items["lawyers"], public_excerpt="Said by @justice_pv")],
        ),
        bob,
    )
    record_change(public, progress=Progress.STALLED, rationale="UNREVIEWED GUESS", by=charlie)
    record_response(public, response=Response.REJECTED, quote="UNREVIEWED QUOTE", by=charlie)
    approve(
        record_response(public, response=Response.SUPPORTED, quote="We agree", by=charlie), alice
    )
    create_demand(
        campaign_a, title="TEAM ONLY DEMAND", by=alice, draft=False, visibility=Visibility.TEAM
    )
    create_demand(
        campaign_a, title="PRIVATE DEMAND", by=alice, draft=False, visibility=Visibility.PRIVATE
    )
    create_demand(
        campaign_a, title="DRAFT DEMAND", by=alice, draft=True, visibility=Visibility.PUBLIC
    )
    return public


def test_the_public_tracker_shows_reviewed_entries_of_public_demands(published):
    page = Client().get(URL).content.decode()
    assert "Lawyers for all ten" in page
    assert "1 demand: 1 implemented" in page
    assert "Approved change" in page and "We agree" in page
    assert "Ministry of Justice" in page


def test_unreviewed_changes_and_responses_never_appear_publicly(published):
    page = Client().get(URL).content.decode()
    assert "UNREVIEWED" not in page
    assert "stalled" not in page.lower().replace("state-stalled", "")
    assert "rejected" not in page.lower()


def test_the_public_tracker_shows_nothing_private(published, items):
    page = Client().get(URL).content.decode()
    for hidden in ("TEAM ONLY DEMAND", "PRIVATE DEMAND", "DRAFT DEMAND"):
        assert hidden not in page
    for name in ("alice", "bob", "charlie"):  # never who submitted or reviewed
        assert name not in page
    assert items["lawyers"].text not in page  # only the redacted excerpt
    assert "ana@example.org" not in page and "7946" not in page
    assert "@justice_pv" not in page and "Said by […]" in page
    assert items["lawyers"].raw_sha256[:16] in page


def test_a_campaign_without_a_public_page_has_no_public_tracker(published, campaign_a):
    campaign_a.site_public = False
    campaign_a.save()
    assert Client().get(URL).status_code == 404


def test_the_campaigns_own_page_links_to_the_tracker_once_a_demand_is_public(
    campaign_a, alice, client
):
    create_demand(campaign_a, title="Team only", by=alice, draft=False)
    page = client.get("/c/free-the-ten/").content.decode()
    assert URL not in page

    create_demand(campaign_a, title="Public", by=alice, draft=False, visibility="public")
    page = client.get("/c/free-the-ten/").content.decode()
    assert f'href="{URL}"' in page
    assert "What we asked for, and what was done" in page


def test_the_static_copy_carries_the_tracker_with_links_that_resolve(published, tmp_path):
    from houseboat.campaigns.site import export_site

    export_site(published.campaign, tmp_path, "")
    tracker = (tmp_path / "demands" / "index.html").read_text()
    assert "Lawyers for all ten" in tracker
    assert "UNREVIEWED GUESS" not in tracker
    assert 'href="../static/houseboat/public.css"' in tracker
    assert (tmp_path / "demands" / "../static/houseboat/public.css").resolve().exists()
    assert 'href="demands/"' in (tmp_path / "index.html").read_text()
