"""The demo tells the organising story: an event with tracked links, RSVPs and check-ins,
the funnel and the stalled, a follow-up to a segment, donations traced to their post."""

from django.core import mail
from django.utils import timezone

from houseboat import demo
from houseboat.campaigns.models import Campaign
from houseboat.organizing import followups, fundraising, services
from houseboat.organizing.constants import FollowUpState, MessageState, ResponseKind
from houseboat.organizing.funnel import build_funnel
from houseboat.organizing.models import CallToAction, FollowUp, FollowUpMessage


def test_the_demo_shows_an_event_the_funnel_a_follow_up_and_traced_donations(db):
    demo.seed()
    campaign = Campaign.objects.get(slug="free-the-riverside-ten")
    team = campaign.team
    vigil = CallToAction.objects.get(title__startswith="Candle vigil")
    assert timezone.localdate(vigil.starts_at) == timezone.localdate()
    assert vigil.links.count() == 3 and all(link.clicks for link in vigil.links.all())
    rsvps = vigil.responses.filter(kind=ResponseKind.RSVP)
    assert rsvps.count() == 25 and rsvps.filter(channel__network="x").count() == 12
    assert vigil.responses.filter(kind=ResponseKind.ATTENDED).count() == 8
    attention = services.attention(team)
    assert attention["events_today"] == [vigil]
    assert attention["rsvps_to_confirm"] == 5
    assert attention["stalled"] > 0

    funnel = build_funnel(campaign)
    reached = [row.reached for row in funnel.rows]
    assert reached[0] > reached[1] > reached[2] > reached[3] > reached[4] > 0
    assert funnel.stalled_ids

    totals = fundraising.totals(campaign)
    assert {row["post_id"] for row in totals.by_post} == set(
        campaign.posts.filter(text__contains="legal fund").values_list("pk", flat=True)
    )
    assert FollowUpMessage.objects.filter(state=MessageState.SENT).exists()

    draft = FollowUp.objects.get(state=FollowUpState.DRAFT)
    counts = followups.queue(draft)
    assert counts.get("email", 0) > 0 and set(counts) <= {
        "email",
        "people",
        "no_consent",
        "no_route",
    }
    assert followups.send_due("demo-worker") == counts["email"]
    assert len(mail.outbox) == counts["email"]
