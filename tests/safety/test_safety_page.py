"""The safety page links every part a member may open, and the navigation leads to it."""

from houseboat.safety.alerts import raise_alerts
from tests.safety.test_alerts import Record


def test_an_owner_sees_every_part(as_alice, team_a, campaign_a):
    raise_alerts(team_a, campaign_a, [Record("x", "1", "we know where you live", "en")])
    page = as_alice.get("/t/team-a/safety/").content.decode()
    for path in (
        "alerts",
        "check",
        "names",
        "alerts/words",
        "alerts/protected",
        "graphic",
        "lockdown",
    ):
        assert f'href="/t/team-a/safety/{path}/"' in page, path
    assert "1 open alert" in page
    assert "houseboat media clean" in page and "houseboat keys rotate" in page


def test_a_viewer_sees_only_what_they_may_open(as_victor):
    page = as_victor.get("/t/team-a/safety/").content.decode()
    assert 'href="/t/team-a/safety/alerts/"' in page
    assert 'href="/t/team-a/safety/graphic/"' in page
    for path in ("check", "names", "alerts/words", "alerts/protected", "lockdown"):
        assert f'href="/t/team-a/safety/{path}/"' not in page, path


def test_the_navigation_leads_to_safety_and_marks_it_on_every_safety_page(as_alice):
    page = as_alice.get("/t/team-a/safety/graphic/").content.decode()
    assert '<a href="/t/team-a/safety/" aria-current="page">Safety</a>' in page
    campaigns = as_alice.get("/t/team-a/").content.decode()
    assert '<a href="/t/team-a/safety/">Safety</a>' in campaigns


def test_the_safety_page_costs_a_few_queries(as_alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        assert as_alice.get("/t/team-a/safety/").status_code == 200
