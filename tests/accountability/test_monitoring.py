"""Monitoring finds new archive items that mention a demand; a person decides; deadlines remind."""
# ruff: noqa: RUF001 -- keywords in several languages are the point

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from houseboat.accountability import monitoring
from houseboat.accountability.constants import CandidateState, ReminderKind, Verdict
from houseboat.accountability.demo import archive_evidence
from houseboat.accountability.models import (
    Candidate,
    DeadlineReminder,
    MonitorCursor,
    StatusChange,
    Target,
)
from houseboat.accountability.services import (
    DemandError,
    Evidence,
    create_demand,
    decide_candidate,
    record_change,
)

pytestmark = pytest.mark.django_db


def run_until_caught_up() -> int:
    total = 0
    while done := monitoring.watch_archive("test"):
        total += done
    return total


def test_a_matching_archive_item_becomes_a_candidate_and_the_status_stays(campaign_a, alice):
    demand = create_demand(
        campaign_a,
        title="Repeal Article 41",
        by=alice,
        monitor_terms="public order act\nقانون النظام العام",
    )
    items = archive_evidence(campaign_a, alice)
    run_until_caught_up()
    found = {c.item_id for c in Candidate.objects.filter(demand=demand)}
    assert found == {items["lawyers"].pk, items["shelved"].pk}
    assert Candidate.objects.get(item=items["shelved"]).matched == "public order act"
    assert StatusChange.objects.count() == 0  # monitoring never records a status


def test_targets_names_and_accounts_are_watched_too(campaign_a, alice):
    demand = create_demand(campaign_a, title="Lawyers", by=alice, targets=["Minister Dost"])
    Target.objects.filter(name="Minister Dost").update(handles="@riversidecourier")
    items = archive_evidence(campaign_a, alice)
    run_until_caught_up()
    found = {c.item_id: c.matched for c in Candidate.objects.filter(demand=demand)}
    assert found == {
        items["hearing"].pk: "Minister Dost",
        items["withdrawn"].pk: "@riversidecourier",  # its author
    }


def test_only_new_items_are_read_and_a_second_round_adds_nothing(campaign_a, alice):
    create_demand(campaign_a, title="Repeal", by=alice, monitor_terms="Public Order Act")
    archive_evidence(campaign_a, alice)
    assert run_until_caught_up() == 7
    assert run_until_caught_up() == 0
    assert MonitorCursor.objects.get().last_item_id > 0
    assert Candidate.objects.count() == 2


def test_another_campaigns_items_never_match(campaign_a, alice, team_b, mallory):
    from houseboat.campaigns.models import Campaign

    create_demand(campaign_a, title="Repeal", by=alice, monitor_terms="Public Order Act")
    other = Campaign.objects.create(team=team_b, name="B", slug="b")
    archive_evidence(other, mallory)
    run_until_caught_up()
    assert Candidate.objects.count() == 0


def test_keeping_a_candidate_links_evidence_and_leaves_the_status_alone(campaign_a, alice, bob):
    demand = create_demand(campaign_a, title="Repeal", by=alice, monitor_terms="Public Order Act")
    archive_evidence(campaign_a, alice)
    run_until_caught_up()
    first, second = Candidate.objects.order_by("pk")
    link = decide_candidate(first, keep=True, by=bob)
    assert link.sha256 == first.item.raw_sha256 and link.demand == demand
    assert decide_candidate(second, keep=False, by=bob) is None
    assert set(Candidate.objects.values_list("state", flat=True)) == {
        CandidateState.ACCEPTED,
        CandidateState.DISMISSED,
    }
    assert StatusChange.objects.count() == 0
    with pytest.raises(DemandError, match="already decided"):
        decide_candidate(first, keep=False, by=bob)


def test_reminders_go_out_once_30_days_before_and_when_overdue(campaign_a, alice, bob, items):
    bob.email = "bob@example.org"
    bob.save()
    today = timezone.localdate()
    soon = create_demand(
        campaign_a, title="Soon", by=alice, deadline=today + timedelta(days=30), draft=False
    )
    late = create_demand(
        campaign_a, title="Late", by=alice, deadline=today - timedelta(days=1), draft=False
    )
    create_demand(
        campaign_a, title="Far", by=alice, deadline=today + timedelta(days=31), draft=False
    )
    judged = create_demand(
        campaign_a, title="Judged", by=alice, deadline=today - timedelta(days=5), draft=False
    )
    from houseboat.accountability.constants import Decision
    from houseboat.accountability.services import review
    from houseboat.core.models import Membership

    change = record_change(
        judged,
        verdict=Verdict.BROKEN,
        rationale="Missed",
        evidence=[Evidence(items["nohearing"])],
        by=alice,
    )
    review(change, membership=Membership.objects.get(user=bob), decision=Decision.APPROVED)
    assert monitoring.remind_deadlines("test") == 2
    assert monitoring.remind_deadlines("test") == 0
    assert set(DeadlineReminder.objects.values_list("demand__title", "kind")) == {
        ("Soon", ReminderKind.SOON),
        ("Late", ReminderKind.OVERDUE),
    }
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Deadline in 30 days: Soon", "Deadline passed: Late"]
    assert all(m.to == ["bob@example.org"] for m in mail.outbox)
    assert soon.reminders.get().emailed_to == 1 and late.reminders.get().emailed_to == 1


def test_no_email_when_email_is_not_set_up(campaign_a, alice, bob, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    bob.email = "bob@example.org"
    bob.save()
    create_demand(
        campaign_a,
        title="Late",
        by=alice,
        draft=False,
        deadline=timezone.localdate() - timedelta(days=1),
    )
    assert monitoring.remind_deadlines("test") == 1
    assert DeadlineReminder.objects.get().emailed_to == 0


def test_the_worker_runs_both_steps_in_the_reading_lane():
    from houseboat.accountability import monitoring
    from houseboat.core.worker import load_lane

    steps = load_lane("reading")
    assert monitoring.watch_archive in steps
    assert monitoring.remind_deadlines in steps
