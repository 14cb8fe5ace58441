"""The Demands pages by role: viewers read, contributors propose, editors review."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from houseboat.accountability.constants import Decision, Progress, Verdict, Visibility
from houseboat.accountability.models import (
    AuthorityResponse,
    Demand,
    DemandImport,
    EvidenceLink,
    StatusChange,
    Target,
    Term,
)
from houseboat.accountability.services import Evidence, create_demand, record_change, review
from houseboat.core.models import Membership
from tests.accountability.samples import five_hundred_recommendations

pytestmark = pytest.mark.django_db

BASE = "/t/team-a/demands/free-the-ten"


def approve(entry, user):
    review(entry, membership=Membership.objects.get(user=user), decision=Decision.APPROVED)


@pytest.fixture
def tracker(campaign_a, alice, bob, items):
    """Demands in several states, one private, one with a deadline passed."""
    today = timezone.localdate()
    made = {}
    for ref, title, state in [
        ("D1", "Lawyers", Verdict.IMPLEMENTED),
        ("D2", "Hearing", Verdict.BROKEN),
        ("D3", "Repeal", Progress.STALLED),
        ("D4", "Inquiry", ""),
    ]:
        made[ref] = create_demand(
            campaign_a,
            title=title,
            ref=ref,
            by=alice,
            draft=False,
            targets=["Ministry"],
            deadline=today - timedelta(days=2) if ref == "D4" else None,
        )
        if state in Verdict.values:
            approve(
                record_change(
                    made[ref],
                    verdict=state,
                    rationale=f"{title} judged",
                    evidence=[Evidence(items["lawyers"])],
                    by=alice,
                ),
                bob,
            )
        elif state:
            approve(record_change(made[ref], progress=state, rationale="Stuck", by=alice), bob)
    made["secret"] = create_demand(
        campaign_a, title="Secret plan", by=alice, visibility=Visibility.PRIVATE
    )
    return made


def test_the_tracker_shows_the_summary_line_and_every_demand(as_victor, tracker):
    page = as_victor.get(BASE + "/").content.decode()
    assert "4 demands: 1 implemented, 1 broken, 1 stalled, 1 not yet assessed" in page
    for title in ("Lawyers", "Hearing", "Repeal", "Inquiry"):
        assert title in page
    assert "Secret plan" not in page  # private: its author and the reviewers only
    assert "Deadlines" in page and "passed" in page
    table = page[page.index("<table") :]
    assert table.index(">Inquiry</a>") < table.index(">Lawyers</a>")  # no deadline: last


def test_the_owner_sees_private_demands(as_alice, tracker):
    assert "Secret plan" in as_alice.get(BASE + "/").content.decode()


def test_filters_by_status_target_theme_and_deadline(as_victor, tracker, team_a):
    def titles(query):
        page = as_victor.get(BASE + "/?" + query).content.decode()
        return {t for t in ("Lawyers", "Hearing", "Repeal", "Inquiry") if f">{t}</a>" in page}

    assert titles("status=broken") == {"Hearing"}
    assert titles("status=not_assessed") == {"Inquiry"}
    assert titles("deadline=overdue") == {"Inquiry"}
    assert titles("deadline=none") == {"Lawyers", "Hearing", "Repeal"}
    theme = Term.objects.create(team=team_a, kind="theme", name="Detention")
    tracker["D3"].themes.add(
        Term.objects.create(team=team_a, kind="theme", name="Article 41", parent=theme)
    )
    assert titles(f"theme={theme.pk}") == {"Repeal"}
    other = create_demand(tracker["D1"].campaign, title="Visits", targets=["Police"], draft=False)
    police = Target.objects.get(name="Police")
    page = as_victor.get(BASE + f"/?target={police.pk}").content.decode()
    assert ">Visits</a>" in page and ">Lawyers</a>" not in page
    assert other.pk


def test_a_viewer_cannot_record_anything(as_victor, tracker):
    url = f"{BASE}/{tracker['D4'].pk}/status/"
    response = as_victor.post(
        url, {"state": "in_progress", "rationale": "x", "happened_on": "2026-01-01"}
    )
    assert response.status_code == 403
    assert StatusChange.objects.filter(demand=tracker["D4"]).count() == 0


def test_a_contributor_proposes_and_an_editor_reviews(as_charlie, as_bob, tracker, charlie):
    demand = tracker["D4"]
    response = as_charlie.post(
        f"{BASE}/{demand.pk}/status/",
        {
            "state": "in_progress",
            "rationale": "The Ombudsman opened a file",
            "happened_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(demand=demand)
    assert change.recorded_by == charlie and not hasattr(change, "review_cache")
    assert (
        as_charlie.post(f"{BASE}/review/change/{change.pk}/", {"decision": "approved"}).status_code
        == 403
    )
    page = as_bob.get(f"{BASE}/review/").content.decode()
    assert "The Ombudsman opened a file" in page
    as_bob.post(f"{BASE}/review/change/{change.pk}/", {"decision": "approved"})
    assert demand.current_change() == change


def test_a_verdict_without_evidence_is_refused_on_the_page(as_bob, tracker):
    response = as_bob.post(
        f"{BASE}/{tracker['D4'].pk}/status/",
        {
            "state": "implemented",
            "rationale": "Done",
            "happened_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "A verdict needs evidence" in response.content.decode()
    assert StatusChange.objects.filter(demand=tracker["D4"]).count() == 0


def test_a_verdict_with_an_evidence_hash_is_recorded(as_bob, tracker, items):
    response = as_bob.post(
        f"{BASE}/{tracker['D4'].pk}/status/",
        {
            "state": "broken",
            "rationale": "No inquiry",
            "happened_on": timezone.localdate().isoformat(),
            "evidence": items["nohearing"].raw_sha256[:16],
            "public_excerpt": "No new date",
        },
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get(change__demand=tracker["D4"])
    assert (link.sha256, link.public_excerpt) == (items["nohearing"].raw_sha256, "No new date")


def test_no_page_edits_or_deletes_history(as_alice, tracker):
    """Every history URL only adds: there is no edit or delete route for an entry."""
    from django.urls import get_resolver

    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    demand_urls = get_resolver().resolve(BASE + "/").func  # the app is mounted
    assert demand_urls
    from houseboat.accountability import urls

    names = {p.name for p in urls.urlpatterns}
    assert not {n for n in names if "delete" in n or "edit_change" in n}
    change = StatusChange.objects.filter(demand=tracker["D1"]).get()
    response = as_alice.post(f"{BASE}/review/change/{change.pk}/", {"decision": "declined"})
    assert response.status_code == 302
    assert change.review.decision == Decision.APPROVED  # the first review stands
    assert routes


def test_the_timeline_shows_changes_responses_evidence_and_own_posts(as_victor, tracker, alice):
    from houseboat.campaigns.models import SitePost

    SitePost.objects.create(
        campaign=tracker["D1"].campaign,
        title="Our vigil",
        body="x",
        author=alice,
        status="published",
        published_at=timezone.now(),
    )
    page = as_victor.get(f"{BASE}/{tracker['D1'].pk}/").content.decode()
    assert "Lawyers judged" in page and "reviewed by bob" in page
    assert "Our vigil" in page
    assert "SHA-256" in page


def test_the_custody_page_is_one_click_from_the_evidence(as_victor, tracker, items):
    page = as_victor.get(f"{BASE}/{tracker['D1'].pk}/").content.decode()
    url = f"/t/team-a/demands/item/{items['lawyers'].raw_sha256}/"
    assert url in page
    custody = as_victor.get(url).content.decode()
    assert items["lawyers"].raw_sha256 in custody and "Record hash" in custody
    assert "Imported by alice from the file" in custody


def test_an_outsider_gets_404_everywhere(as_mallory, tracker, items):
    for url in (
        BASE + "/",
        f"{BASE}/{tracker['D1'].pk}/",
        f"{BASE}/export.csv",
        f"/t/team-a/demands/item/{items['lawyers'].raw_sha256}/",
    ):
        assert as_mallory.get(url).status_code == 404


def test_exports_hold_the_demands_the_reader_may_see(as_victor, tracker):
    csv_text = as_victor.get(BASE + "/export.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("ref,title,text,kind,made_by,targets")
    assert "D2,Hearing" in csv_text and "Secret plan" not in csv_text
    data = json.loads(as_victor.get(BASE + "/export.json").content)
    by_ref = {d["ref"]: d for d in data["demands"]}
    assert by_ref["D2"]["status"] == "broken"
    assert by_ref["D2"]["history"][0]["review"]["by"] == "bob"


def test_an_export_defuses_spreadsheet_formulas(as_alice, campaign_a, alice):
    create_demand(campaign_a, title='=HYPERLINK("http://x")', by=alice)
    assert "'=HYPERLINK" in as_alice.get(BASE + "/export.csv").content.decode()


def test_the_import_shows_a_preview_and_stores_only_when_confirmed(as_charlie, campaign_a):
    data, bad = five_hundred_recommendations()
    response = as_charlie.post(BASE + "/import/", {"file": SimpleUploadedFile("upr.csv", data)})
    assert response.status_code == 302
    preview = as_charlie.get(response.url).content.decode()
    assert "UPR Info database export" in preview and "Mac Roman" in preview
    assert "493" in preview and f"line {min(bad)}: the recommendation is empty." in preview
    assert Demand.objects.count() == 0
    as_charlie.post(response.url)
    assert Demand.objects.count() == 493
    assert AuthorityResponse.objects.count() == 493
    assert DemandImport.objects.get().data in (b"", memoryview(b""))
    assert as_charlie.get(response.url).status_code == 404  # done; it cannot be stored twice


def test_a_contributor_cannot_make_a_demand_public(as_charlie, campaign_a):
    response = as_charlie.post(
        BASE + "/new/",
        {
            "title": "Open the files",
            "kind": "ours",
            "deadline_kind": "absent",
            "visibility": "public",
            "targets": "Harbour Authority\nCity council",
        },
    )
    assert response.status_code == 400
    response = as_charlie.post(
        BASE + "/new/",
        {
            "title": "Open the files",
            "kind": "ours",
            "deadline_kind": "absent",
            "visibility": "team",
            "targets": "Harbour Authority\nCity council",
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert demand.lead_target().name == "Harbour Authority"


def test_a_verdict_can_use_evidence_already_linked_to_the_demand(as_bob, tracker, items):
    from houseboat.accountability.services import link_evidence

    demand = tracker["D4"]
    link_evidence(demand, [Evidence(items["visits"])], by=None)
    page = as_bob.get(f"{BASE}/{demand.pk}/").content.decode()
    assert f'value="{items["visits"].raw_sha256}"' in page
    response = as_bob.post(
        f"{BASE}/{demand.pk}/status/",
        {
            "state": "partly_implemented",
            "rationale": "Four of ten families",
            "happened_on": timezone.localdate().isoformat(),
            "linked": [items["visits"].raw_sha256],
        },
    )
    assert response.status_code == 302
    assert EvidenceLink.objects.get(change__demand=demand).sha256 == items["visits"].raw_sha256


def test_the_tracker_takes_as_many_queries_for_20_demands_as_for_5(
    as_victor, campaign_a, alice, django_assert_max_num_queries
):
    def make(n):
        for i in range(n):
            create_demand(
                campaign_a,
                title=f"Demand {i}",
                by=alice,
                draft=False,
                targets=["Ministry", "Police"],
            )

    make(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        as_victor.get(BASE + "/")
    make(15)
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = as_victor.get(BASE + "/").content.decode()
    assert "20 demands" in page


def test_the_navigation_links_demands_instead_of_soon(as_victor, campaign_a):
    page = as_victor.get("/t/team-a/").content.decode()
    assert '<a href="/t/team-a/demands/"' in page
    assert as_victor.get("/t/team-a/demands/").url == BASE + "/"


def test_a_contributor_never_sees_anothers_private_demand_among_related(
    as_charlie, campaign_a, alice
):
    create_demand(campaign_a, title="Secret plan", by=alice, visibility=Visibility.PRIVATE)
    assert "Secret plan" not in as_charlie.get(BASE + "/new/").content.decode()


def test_the_review_queue_shows_a_matched_item_once_for_all_its_demands(as_charlie, tracker):
    from houseboat.accountability.monitoring import watch_archive

    while watch_archive("test"):
        pass
    page = as_charlie.get(f"{BASE}/review/").content.decode()
    text = "The Ministry of Justice confirms that lawyers"
    assert page.count(text) == 1
    assert page.count("matched Ministry") >= 4  # every demand targets the Ministry
