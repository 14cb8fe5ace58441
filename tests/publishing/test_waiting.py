"""People learn what waits for them: counts in the navigation and on the home page.

The counts come from hooks the upper apps register (core.hooks), so core imports none
of them; all the counters together are one query, however much waits.
"""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import houseboat
from houseboat.core import hooks
from houseboat.core.constants import Role
from houseboat.core.models import Membership, Team
from houseboat.publishing import deadman, services
from houseboat.safety.models import Alert
from tests.publishing.test_deadman import deadline_in, owner_approves, statements

HOME = "/t/team-a/"
UPPER_APPS = ("campaigns", "connectors", "publishing", "listening", "safety")


def test_core_imports_no_upper_app():
    core = Path(houseboat.__file__).parent / "core"
    found = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [
                f"{path.name}: {name}"
                for name in names
                if any(name.startswith(f"houseboat.{app}") for app in UPPER_APPS)
            ]
    assert found == []


def waiting_posts(charlie_member, campaign_a, channel, n: int) -> None:
    for i in range(n):
        post = services.create_post(
            membership=charlie_member, campaign=campaign_a, text=f"Post {i}", channels=[channel]
        )
        services.submit(charlie_member, post)


def alerts(campaign_a, n: int, start: int = 0) -> None:
    Alert.objects.bulk_create(
        Alert(team=campaign_a.team, campaign=campaign_a, network="x", remote_id=str(i))
        for i in range(start, start + n)
    )


def test_an_editor_sees_posts_waiting_for_approval_and_open_alerts(
    as_bob, charlie_member, campaign_a, mastodon_channel
):
    waiting_posts(charlie_member, campaign_a, mastodon_channel, 2)
    alerts(campaign_a, 3)

    page = as_bob.get(HOME).content.decode()

    assert "Waiting for you" in page
    assert "2 posts wait for your approval" in page
    assert 'href="/t/team-a/publish/review/"' in page
    assert "3 safety alerts are open" in page
    assert page.count('class="nav-count"') == 2  # beside Publish and Safety
    assert '<span class="nav-count" title="2 posts wait for your approval">2' in page


def test_a_contributor_is_not_told_of_approvals_that_are_not_theirs_to_give(
    as_charlie, charlie_member, campaign_a, mastodon_channel
):
    waiting_posts(charlie_member, campaign_a, mastodon_channel, 1)

    page = as_charlie.get(HOME).content.decode()

    assert "wait for your approval" not in page
    assert "nav-count" not in page


def test_an_acknowledged_alert_no_longer_counts(as_bob, campaign_a, bob):
    alerts(campaign_a, 1)
    Alert.objects.update(acknowledged_at=timezone.now(), acknowledged_by=bob)

    assert "safety alert" not in as_bob.get(HOME).content.decode()


def test_the_holder_is_told_a_check_in_is_due_and_the_owner_sees_the_banner(
    as_alice, as_bob, bob_member, mastodon_channel
):
    switch = deadman.prepare(bob_member, statements(mastodon_channel))
    owner_approves(switch)
    deadman.arm(bob_member, switch)
    switch.refresh_from_db()
    assert "check-in" not in as_bob.get(HOME).content.decode()  # not due yet

    deadline_in(switch, timedelta(hours=2))

    holder = as_bob.get(HOME).content.decode()
    assert "1 dead-man check-in is due" in holder
    assert "Check in: your dead-man switch" in holder  # the banner, through its hook
    owner = as_alice.get(HOME).content.decode()
    assert "check-in is due" not in owner  # not hers to make
    assert "bob has not checked in" in owner


def test_an_owner_is_told_a_members_dead_man_switch_waits_for_their_approval(
    as_alice, as_bob, charlie_member, mastodon_channel
):
    switch = deadman.prepare(charlie_member, statements(mastodon_channel))
    deadman.submit(charlie_member, switch)

    assert "1 dead-man switch waits for your approval" in as_alice.get(HOME).content.decode()
    assert "dead-man switch waits" not in as_bob.get(HOME).content.decode()  # editors: no

    owner_approves(switch)
    assert "dead-man switch waits" not in as_alice.get(HOME).content.decode()


def test_the_list_of_teams_says_what_waits_in_each(
    client, bob, charlie_member, campaign_a, mastodon_channel
):
    other = Team.objects.create(name="Team C", slug="team-c")
    Membership.objects.create(team=other, user=bob, role=Role.CONTRIBUTOR)
    waiting_posts(charlie_member, campaign_a, mastodon_channel, 1)
    client.force_login(bob)

    page = client.get("/").content.decode()

    assert "1 post waits for your approval" in page
    assert page.count("Waiting for you") == 1  # team C has nothing for bob


@pytest.mark.parametrize("many", [False, True], ids=["a few", "many"])
def test_the_counts_take_one_query_together_however_much_waits(
    many, bob_member, charlie_member, campaign_a, mastodon_channel
):
    waiting_posts(charlie_member, campaign_a, mastodon_channel, 20 if many else 1)
    alerts(campaign_a, 50 if many else 1)

    member = Membership.objects.select_related("team").get(pk=bob_member.pk)  # as in a request
    with CaptureQueriesContext(connection) as captured:
        found = hooks.waiting_for(member)

    assert {w.key for w in found} == {"approval", "alerts"}
    assert len(hooks.COUNTERS) == 5  # the team inbox adds one: still one query
    assert len(captured) == 1  # every counter, and the banner's check, in one query


def test_the_home_page_takes_as_many_queries_with_much_waiting_as_with_little(
    as_bob, charlie_member, campaign_a, mastodon_channel
):
    def queries() -> int:
        as_bob.get(HOME)
        with CaptureQueriesContext(connection) as captured:
            as_bob.get(HOME)
        return len(captured)

    waiting_posts(charlie_member, campaign_a, mastodon_channel, 1)
    alerts(campaign_a, 1)
    few = queries()
    waiting_posts(charlie_member, campaign_a, mastodon_channel, 15)
    alerts(campaign_a, 30, start=1)

    assert queries() == few
    assert few <= 20
