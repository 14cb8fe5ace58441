"""Report jobs in the worker, and who may reach the report and outcome pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from houseboat.core import worker
from houseboat.reports import jobs
from houseboat.reports.constants import ReportState
from houseboat.reports.models import Outcome, Report
from tests.reports.conftest import END, START


def test_the_report_step_runs_in_the_lane_of_imports_and_exports():
    assert "houseboat.reports.jobs.run_report_jobs" in settings.HOUSEBOAT_WORKER_LANES["imports"]


# The worker's round closes connections left in a transaction, as a test's own is: on
# PostgreSQL this test needs real commits.
@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_a_queued_report_to_done_with_its_three_files(campaign_a, alice):
    report = jobs.queue_report(campaign_a, START, END, "en", alice)
    assert report.state == ReportState.QUEUED

    assert worker.run_round(worker.load_lane("imports"), "test-worker") >= 1

    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    assert report.error == ""
    assert bytes(report.pdf).startswith(b"%PDF")
    assert bytes(report.csv_zip).startswith(b"PK")
    assert "Free the Ten" in report.html
    assert report.lease_owner == "" and report.finished_at is not None
    assert jobs.run_report_jobs("test-worker") == 0  # nothing left to do


def test_a_report_whose_worker_died_is_taken_over_after_its_lease(campaign_a):
    report = jobs.queue_report(campaign_a, START, END, "en")
    Report.objects.filter(pk=report.pk).update(
        state=ReportState.RUNNING,
        lease_owner="dead",
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert jobs.run_report_jobs("alive") == 1
    report.refresh_from_db()
    assert report.state == ReportState.DONE and report.attempts == 1


def test_a_running_report_under_a_live_lease_is_left_alone(campaign_a):
    report = jobs.queue_report(campaign_a, START, END, "en")
    Report.objects.filter(pk=report.pk).update(
        state=ReportState.RUNNING,
        lease_owner="busy",
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    assert jobs.run_report_jobs("other") == 0


# --- the pages


def url(name, campaign, *more):
    return reverse(f"reports:{name}", args=[campaign.team.slug, campaign.slug, *more])


def test_an_editor_queues_a_report_and_its_page_offers_the_files_once_written(as_bob, campaign_a):
    response = as_bob.post(
        url("campaign", campaign_a), {"start": "2026-11-01", "end": "2026-11-30"}
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "report", campaign_a, report.pk
    )
    assert (report.start, report.end) == (date(2026, 11, 1), date(2026, 11, 30))
    page = as_bob.get(url("report", campaign_a, report.pk)).content.decode()
    assert "Waiting for the worker" in page and "/pdf/" not in page

    jobs.run_report_jobs("w")

    page = as_bob.get(url("report", campaign_a, report.pk)).content.decode()
    assert url("download", campaign_a, report.pk, "pdf") in page
    pdf = as_bob.get(url("download", campaign_a, report.pk, "pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    html = as_bob.get(url("download", campaign_a, report.pk, "html"))
    assert b"Monitoring and evaluation report" in html.content
    assert as_bob.get(url("download", campaign_a, report.pk, "csv")).content.startswith(b"PK")
    assert as_bob.get(url("download", campaign_a, report.pk, "exe")).status_code == 404


def test_a_period_that_ends_before_it_starts_is_refused(as_bob, campaign_a):
    response = as_bob.post(
        url("campaign", campaign_a), {"start": "2026-11-30", "end": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("client", ["as_victor", "as_charlie"])
def test_viewers_and_contributors_read_reports_but_cannot_queue_one(client, request, campaign_a):
    as_someone = request.getfixturevalue(client)
    assert as_someone.get(url("campaign", campaign_a)).status_code == 200
    assert (
        as_someone.post(
            url("campaign", campaign_a), {"start": "2026-11-01", "end": "2026-11-30"}
        ).status_code
        == 403
    )
    assert not Report.objects.exists()
    report = jobs.queue_report(campaign_a, START, END, "en")
    jobs.run_report_jobs("w")
    assert as_someone.get(url("download", campaign_a, report.pk, "pdf")).status_code == 200


def test_an_outsider_gets_404_on_every_report_page(as_mallory, campaign_a):
    report = jobs.queue_report(campaign_a, START, END, "en")
    jobs.run_report_jobs("w")
    for address in [
        reverse("reports:report_list", args=[campaign_a.team.slug]),
        url("campaign", campaign_a),
        url("outcomes", campaign_a),
        url("report", campaign_a, report.pk),
        url("download", campaign_a, report.pk, "pdf"),
    ]:
        assert as_mallory.get(address).status_code == 404, address
    assert as_mallory.post(url("outcomes", campaign_a), {}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, campaign_a):
    response = client.get(url("campaign", campaign_a))
    assert response.status_code == 302 and "login" in response["Location"]


OUTCOME = {
    "actor": "المرصد",
    "change": "Front-page story on the ten",
    "happened_on": "2026-11-10",
    "contribution": "Our press kit",
    "confirmed_by": "The article itself",
}


def test_an_editor_records_an_outcome_and_everyone_in_the_team_reads_it(
    as_bob, as_victor, bob, campaign_a
):
    response = as_bob.post(url("outcomes", campaign_a), OUTCOME)
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.actor, outcome.created_by, outcome.campaign) == ("المرصد", bob, campaign_a)
    page = as_victor.get(url("outcomes", campaign_a)).content.decode()
    assert "<bdi>المرصد</bdi>" in page
    assert "Record an outcome" not in page  # no form for a viewer


def test_a_viewer_cannot_record_an_outcome(as_victor, campaign_a):
    assert as_victor.post(url("outcomes", campaign_a), OUTCOME).status_code == 403
    assert not Outcome.objects.exists()


def test_the_reports_index_lists_the_campaigns(as_victor, campaign_a):
    page = as_victor.get(
        reverse("reports:report_list", args=[campaign_a.team.slug])
    ).content.decode()
    assert url("campaign", campaign_a) in page and url("outcomes", campaign_a) in page
