"""The demo's tracker: every state, verdicts on archived evidence, and the review flow."""

import pytest
from django.test import Client
from django.utils import timezone

from houseboat import demo
from houseboat.accountability.constants import STATES, Verdict
from houseboat.accountability.models import Candidate, Demand, StatusChange
from houseboat.accountability.services import state_of, with_status
from houseboat.core.models import User
from houseboat.listening.models import CustodyRecord, Item

pytestmark = pytest.mark.django_db

TRACKER = "/t/riverside/demands/free-the-riverside-ten"


@pytest.fixture
def seeded(archive_dir):
    demo.seed()
    return Demand.objects.filter(campaign__slug="free-the-riverside-ten")


def test_the_demo_tracker_has_demands_in_every_state(seeded):
    states = {state_of(d) for d in with_status(seeded)}
    assert states == set(STATES)


def test_every_demo_verdict_rests_on_archived_evidence_with_custody(seeded):
    verdicts = StatusChange.objects.filter(demand__in=seeded).exclude(verdict="")
    assert {c.verdict for c in verdicts} == set(Verdict.values)
    for change in verdicts:
        links = list(change.evidence.all())
        assert links, change
        for link in links:
            item = Item.objects.get(raw_sha256=link.sha256, campaign=change.demand.campaign)
            assert CustodyRecord.objects.filter(capture=item.capture).exists()


def test_the_demo_has_work_waiting_for_review_and_monitoring_matches(seeded):
    assert StatusChange.objects.filter(demand__in=seeded, review__isnull=True).exists()
    assert Candidate.objects.filter(demand__in=seeded).exists()


def test_an_organiser_records_a_second_member_reviews_and_the_public_sees_it(seeded):
    lucia, daniel = User.objects.get(username="lucia"), User.objects.get(username="daniel")
    demand = seeded.get(ref="A/HRC/55/9 para. 112.45")
    organiser, editor = Client(), Client()
    organiser.force_login(lucia)
    editor.force_login(daniel)
    today = timezone.localdate().isoformat()
    organiser.post(
        f"{TRACKER}/{demand.pk}/response/",
        {"response": "acknowledged", "responded_on": today, "quote": "We hear the Council"},
    )
    organiser.post(
        f"{TRACKER}/{demand.pk}/status/",
        {"state": "in_progress", "happened_on": today, "rationale": "A bill was tabled today"},
    )
    public = Client().get("/c/free-the-riverside-ten/demands/").content.decode()
    assert "A bill was tabled today" not in public and "We hear the Council" not in public
    change = StatusChange.objects.get(demand=demand)
    answer = demand.responses.get(quote="We hear the Council")
    editor.post(f"{TRACKER}/review/change/{change.pk}/", {"decision": "approved"})
    editor.post(f"{TRACKER}/review/response/{answer.pk}/", {"decision": "approved"})
    public = Client().get("/c/free-the-riverside-ten/demands/").content.decode()
    assert "A bill was tabled today" in public and "We hear the Council" in public
    assert "lucia" not in public and "daniel" not in public
