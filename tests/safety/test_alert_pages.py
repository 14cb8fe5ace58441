"""The alerts page, the team's alert words and the protected details."""

from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.safety.alerts import raise_alerts
from houseboat.safety.constants import AlertKind, ProtectedKind
from houseboat.safety.models import Alert, AlertTerm, ProtectedDetail
from tests.safety.test_alerts import Record


def raise_two(team, campaign) -> None:
    raise_alerts(
        team,
        campaign,
        [
            Record("x", "101", "We know where you live, @amina", "en"),
            Record("mastodon", "102", "eres una puta vendida", "es"),
        ],
    )


def test_every_member_sees_open_alerts_explained(as_victor, team_a, campaign_a):
    raise_two(team_a, campaign_a)
    page = as_victor.get("/t/team-a/safety/alerts/").content.decode()
    assert "Matched the threat phrase “we know where you live” (English list)" in page
    assert "We know where you live, @amina" in page
    assert "Acknowledge</button>" not in page  # a viewer changes nothing


def test_acknowledging_moves_an_alert_to_the_acknowledged_list(
    as_charlie, charlie, team_a, campaign_a
):
    raise_two(team_a, campaign_a)
    alert = Alert.objects.get(remote_id="101")
    response = as_charlie.post(f"/t/team-a/safety/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == charlie and alert.acknowledged_at
    open_page = as_charlie.get("/t/team-a/safety/alerts/").content.decode()
    assert "We know where you live" not in open_page
    done_page = as_charlie.get("/t/team-a/safety/alerts/?state=done").content.decode()
    assert "We know where you live" in done_page and "Acknowledged by charlie" in done_page


def test_an_outsider_cannot_acknowledge_another_teams_alert(as_mallory, team_a, campaign_a):
    raise_two(team_a, campaign_a)
    alert = Alert.objects.get(remote_id="101")
    assert as_mallory.post(f"/t/team-a/safety/alerts/{alert.pk}/acknowledge/").status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_alerts_page_costs_the_same_queries_for_many_alerts(
    as_alice, team_a, campaign_a, django_assert_max_num_queries
):
    raise_alerts(
        team_a,
        campaign_a,
        [Record("x", str(n), "we know where you live", "en") for n in range(30)],
    )
    with django_assert_max_num_queries(12):
        response = as_alice.get("/t/team-a/safety/alerts/")
    assert response.content.decode().count('class="card alert-card') == 30


def test_an_editor_adds_and_removes_a_team_word(as_bob, team_a):
    response = as_bob.post(
        "/t/team-a/safety/alerts/words/add/",
        {"term": " sapo* ", "kind": AlertKind.SLUR, "language": "es", "note": "Colombian"},
    )
    assert response.status_code == 302
    term = AlertTerm.objects.get(team=team_a)
    assert (term.term, term.language) == ("sapo*", "es")
    again = as_bob.post(
        "/t/team-a/safety/alerts/words/add/",
        {"term": "sapo*", "kind": AlertKind.SLUR, "language": "es"},
    )
    assert again.status_code == 400
    assert as_bob.post(f"/t/team-a/safety/alerts/words/{term.pk}/remove/").status_code == 302
    assert not AlertTerm.objects.exists()


def test_the_words_page_shows_the_built_in_lists(as_bob):
    page = as_bob.get("/t/team-a/safety/alerts/words/").content.decode()
    assert "we know where you live" in page and "سنقتلك" in page and "te vamos a matar" in page


def test_an_owner_adds_a_protected_detail_shown_only_in_part(as_alice, team_a):
    response = as_alice.post(
        "/t/team-a/safety/alerts/protected/add/",
        {"kind": ProtectedKind.PHONE, "label": "Amina, mobile", "value": "+20 10 1234 5678"},
    )
    assert response.status_code == 302
    detail = ProtectedDetail.objects.get(team=team_a)
    assert detail.value == "+20 10 1234 5678"
    page = as_alice.get("/t/team-a/safety/alerts/protected/").content.decode()
    assert "Amina, mobile" in page and "••••••••••78" in page and "1234" not in page
    assert AuditEvent.objects.filter(action=AuditAction.PROTECTED_DETAIL_ADDED).exists()


def test_a_phone_number_too_short_is_refused(as_alice):
    response = as_alice.post(
        "/t/team-a/safety/alerts/protected/add/",
        {"kind": ProtectedKind.PHONE, "label": "Amina", "value": "12 34"},
    )
    assert response.status_code == 400
    assert not ProtectedDetail.objects.exists()


def test_only_owners_see_the_protected_details(as_bob, team_a):
    ProtectedDetail.objects.create(
        team=team_a, kind=ProtectedKind.PHONE, secret={"label": "Amina", "value": "07700900456"}
    )
    response = as_bob.get("/t/team-a/safety/alerts/protected/")
    assert response.status_code == 403
    assert b"Amina" not in response.content


def test_an_owner_removes_a_protected_detail(as_alice, team_a):
    detail = ProtectedDetail.objects.create(
        team=team_a, kind=ProtectedKind.EMAIL, secret={"label": "Amina", "value": "a@example.org"}
    )
    response = as_alice.post(f"/t/team-a/safety/alerts/protected/{detail.pk}/remove/")
    assert response.status_code == 302
    assert not ProtectedDetail.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.PROTECTED_DETAIL_REMOVED).exists()
