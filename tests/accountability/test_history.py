"""The status history: two axes, a rationale always, evidence for a verdict, a second
member's review before anything counts, and no way to edit or delete an entry."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from houseboat.accountability.constants import Decision, Progress, Response, Verdict
from houseboat.accountability.models import (
    AuthorityResponse,
    EvidenceLink,
    Review,
    StatusChange,
)
from houseboat.accountability.services import (
    DemandError,
    Evidence,
    record_change,
    record_response,
    review,
    state_of,
    with_status,
)
from houseboat.core.models import Membership

pytestmark = pytest.mark.django_db


def membership(user):
    return Membership.objects.get(user=user)


def test_a_verdict_without_evidence_is_refused_with_a_clear_message(demand, alice):
    with pytest.raises(DemandError, match="A verdict needs evidence: link at least one archive"):
        record_change(demand, verdict=Verdict.IMPLEMENTED, rationale="Done", by=alice)
    assert StatusChange.objects.count() == 0


def test_a_change_needs_a_rationale(demand, alice):
    with pytest.raises(DemandError, match="needs a rationale"):
        record_change(demand, progress=Progress.IN_PROGRESS, rationale="  ", by=alice)


def test_a_change_is_progress_or_verdict_never_both(demand, alice, items):
    with pytest.raises(DemandError, match="either a progress or a verdict"):
        record_change(
            demand,
            progress=Progress.STALLED,
            verdict=Verdict.BROKEN,
            rationale="x",
            evidence=[Evidence(items["lawyers"])],
            by=alice,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.create(
            demand=demand,
            progress="stalled",
            verdict="broken",
            happened_on="2026-01-01",
            rationale="x",
        )


def test_a_verdict_with_evidence_links_the_item_by_its_sha256(demand, alice, items):
    change = record_change(
        demand,
        verdict=Verdict.IMPLEMENTED,
        rationale="The Ministry said so",
        evidence=[Evidence(items["lawyers"], public_excerpt="Lawyers will be granted access")],
        by=alice,
    )
    link = change.evidence.get()
    assert link.sha256 == items["lawyers"].raw_sha256
    assert link.excerpt.startswith("The Ministry of Justice confirms")
    assert (change.recorded_by, change.recorded_by_label) == (alice, "alice")


def test_evidence_from_another_campaigns_archive_is_refused(demand, alice, team_a, items):
    from houseboat.accountability.demo import archive_evidence
    from houseboat.campaigns.models import Campaign

    other = Campaign.objects.create(team=team_a, name="Other", slug="other")
    foreign = archive_evidence(other, alice)["lawyers"]
    with pytest.raises(DemandError, match="this campaign's own archive"):
        record_change(
            demand,
            verdict=Verdict.IMPLEMENTED,
            rationale="x",
            evidence=[Evidence(foreign)],
            by=alice,
        )


def test_the_status_is_the_latest_reviewed_change_only(demand, alice, bob, items):
    first = record_change(demand, progress=Progress.IN_PROGRESS, rationale="Talks", by=alice)
    assert state_of(with_status(type(demand).objects.filter(pk=demand.pk)).get()) == (
        Progress.NOT_ASSESSED
    )
    review(first, membership=membership(bob), decision=Decision.APPROVED)
    later = record_change(
        demand,
        verdict=Verdict.IMPLEMENTED,
        rationale="Done",
        evidence=[Evidence(items["lawyers"])],
        by=alice,
    )
    assert demand.current_change() == first  # the verdict waits for its review
    review(later, membership=membership(bob), decision=Decision.APPROVED)
    assert demand.current_change() == later
    assert state_of(with_status(type(demand).objects.filter(pk=demand.pk)).get()) == (
        Verdict.IMPLEMENTED
    )


def test_a_declined_change_never_counts(demand, alice, bob):
    change = record_change(demand, progress=Progress.STALLED, rationale="Hm", by=alice)
    review(change, membership=membership(bob), decision=Decision.DECLINED, note="No source")
    assert demand.current_change() is None
    assert StatusChange.objects.filter(pk=change.pk).exists()  # kept in the history


def test_nobody_reviews_their_own_entry(demand, bob):
    change = record_change(demand, progress=Progress.STALLED, rationale="Hm", by=bob)
    with pytest.raises(DemandError, match="A second member must review this"):
        review(change, membership=membership(bob), decision=Decision.APPROVED)


def test_a_contributor_cannot_review(demand, alice, charlie):
    change = record_change(demand, progress=Progress.STALLED, rationale="Hm", by=alice)
    with pytest.raises(DemandError, match="Only editors and owners review"):
        review(change, membership=membership(charlie), decision=Decision.APPROVED)


def test_an_entry_is_reviewed_once(demand, alice, bob, team_a):
    from tests.conftest import member

    dora = member(team_a, "dora", "owner")
    change = record_change(demand, progress=Progress.STALLED, rationale="Hm", by=alice)
    review(change, membership=membership(bob), decision=Decision.APPROVED)
    with pytest.raises(DemandError, match="already reviewed"):
        review(change, membership=Membership.objects.get(user=dora), decision="declined")


def test_a_response_is_kept_apart_from_progress_and_counts_after_review(demand, alice, bob):
    answer = record_response(
        demand, response=Response.REJECTED, quote="We will not interfere.", by=alice
    )
    assert demand.current_response() is None
    assert demand.current_change() is None
    review(answer, membership=membership(bob), decision=Decision.APPROVED)
    assert demand.current_response() == answer
    assert demand.current_change() is None


# --- Append-only, whatever the way in ----------------------------------------------------------


@pytest.fixture
def history(demand, alice, bob, items):
    change = record_change(
        demand,
        verdict=Verdict.IMPLEMENTED,
        rationale="Done",
        evidence=[Evidence(items["lawyers"])],
        by=alice,
    )
    answer = record_response(demand, response=Response.SUPPORTED, by=alice)
    decision = review(change, membership=membership(bob), decision=Decision.APPROVED)
    return [change, answer, decision, change.evidence.get()]


def test_history_rows_cannot_be_saved_again(history):
    change, answer, decision, link = history
    change.rationale = "Rewritten"
    answer.response = Response.REJECTED
    decision.decision = Decision.DECLINED
    link.excerpt = "Forged"
    for row in (change, answer, decision, link):
        with pytest.raises(PermissionDenied, match="append-only"):
            row.save()
    change.refresh_from_db()
    assert change.rationale == "Done"


def test_history_rows_cannot_be_deleted(history):
    for row in history:
        with pytest.raises(PermissionDenied, match="append-only"):
            row.delete()
    assert StatusChange.objects.count() == 1
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (StatusChange, "rationale"),
        (AuthorityResponse, "quote"),
        (Review, "note"),
        (EvidenceLink, "excerpt"),
    ],
)
def test_history_querysets_refuse_update_and_delete(history, model, field):
    with pytest.raises(PermissionDenied):
        model.objects.all().update(**{field: "Rewritten"})
    with pytest.raises(PermissionDenied):
        model.objects.all().delete()
    rows = list(model.objects.all())
    for row in rows:
        setattr(row, field, "Rewritten")
    with pytest.raises(PermissionDenied), transaction.atomic():
        model.objects.bulk_update(rows, [field])
    assert not model.objects.filter(**{field: "Rewritten"}).exists()
    assert model.objects.count() == 1


def test_a_row_given_an_existing_id_is_not_overwritten(history):
    change = history[0]
    copy = StatusChange(
        pk=change.pk,
        demand=change.demand,
        progress="stalled",
        happened_on=change.happened_on,
        rationale="Overwritten",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    change.refresh_from_db()
    assert change.rationale == "Done"


def test_only_removing_the_whole_campaign_removes_its_history(history, campaign_a):
    campaign_a.delete()
    assert StatusChange.objects.count() == Review.objects.count() == 0
    assert EvidenceLink.objects.count() == AuthorityResponse.objects.count() == 0


def test_purging_an_evidence_item_from_the_archive_keeps_the_link_and_its_hash(history, items):
    link = history[3]
    items["lawyers"].delete()  # what a retention purge does to each item
    link.refresh_from_db()
    assert (link.item, link.sha256) == (None, items["lawyers"].raw_sha256)
    with pytest.raises(PermissionDenied):
        EvidenceLink.objects.all().update(item=items["visits"])


def test_every_step_of_a_demands_history_is_in_the_team_audit_log(demand, alice, bob, items):
    from houseboat.core.models import AuditEvent

    change = record_change(
        demand,
        verdict=Verdict.IMPLEMENTED,
        rationale="All ten saw a lawyer",
        evidence=[Evidence(items["lawyers"])],
        by=alice,
    )
    record_response(demand, response=Response.ACKNOWLEDGED, by=alice)
    review(change, membership=membership(bob), decision=Decision.APPROVED)

    events = AuditEvent.objects.filter(team=demand.campaign.team).order_by("pk")
    assert [(event.action, event.actor_label) for event in events] == [
        ("demand_added", "alice"),
        ("demand_change_recorded", "alice"),
        ("demand_evidence_linked", "alice"),
        ("demand_response_recorded", "alice"),
        ("demand_reviewed", "bob"),
    ]
    assert all(event.target == f"demand {demand.pk}" for event in events)
    assert "approved" in events.last().detail
