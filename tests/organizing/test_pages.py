"""Every organising page opens for the people allowed to see it."""

import pytest
from django.urls import reverse

from houseboat.organizing import followups, links
from houseboat.organizing.models import FollowUp

from .conftest import add


@pytest.fixture
def world(team_a, campaign_a, event, petition, x_channel):
    amal = add(team_a, "Amal", {"email": "amal@example.org"}, ["email"])
    links.make_link(event, channel=x_channel)
    f = FollowUp.objects.create(team=team_a, text="Hello")
    followups.queue(FollowUp.objects.create(team=team_a, text="Sent one"))
    return {"amal": amal, "follow_up": f, "event": event}


PAGES = [
    ("organizing:index", None),
    ("organizing:supporters", None),
    ("organizing:supporter_add", None),
    ("organizing:import", None),
    ("organizing:authors", None),
    ("organizing:ladder", None),
    ("organizing:actions", None),
    ("organizing:action_create", None),
    ("organizing:funnel", None),
    ("organizing:money", None),
    ("organizing:follow_ups", None),
    ("organizing:follow_up_create", None),
    ("organizing:supporter", "amal"),
    ("organizing:action", "event"),
    ("organizing:checkin", "event"),
    ("organizing:follow_up", "follow_up"),
]


@pytest.mark.parametrize(("name", "obj"), PAGES)
def test_alice_opens_every_page(as_alice, team_a, world, name, obj):
    args = [team_a.slug] + ([world[obj].pk] if obj else [])
    response = as_alice.get(reverse(name, args=args))
    assert response.status_code == 200, name
    assert b'aria-current="page"' in response.content


def test_the_organise_entry_is_live_in_the_navigation(as_victor, team_a):
    page = as_victor.get(reverse("organizing:index", args=[team_a.slug])).content.decode()
    assert f'href="/t/{team_a.slug}/organise/" aria-current="page">Organise</a>' in page


def test_a_viewer_sees_the_funnel_but_no_supporter(as_victor, team_a, world):
    assert as_victor.get(reverse("organizing:funnel", args=[team_a.slug])).status_code == 200
    assert as_victor.get(reverse("organizing:supporters", args=[team_a.slug])).status_code == 403
    detail = reverse("organizing:supporter", args=[team_a.slug, world["amal"].pk])
    assert as_victor.get(detail).status_code == 403


def test_the_public_page_of_an_action_works_without_sign_in(client, world):
    page = client.get(world["event"].public_path())
    assert page.status_code == 200
    assert "Vigil at the courthouse" in page.content.decode()
    assert page["Cache-Control"] == "no-store"


def test_the_campaigns_public_page_lists_open_actions_but_its_static_copy_does_not(
    client, campaign_a, world, tmp_path
):
    from houseboat.campaigns.site import export_site

    page = client.get(campaign_a.public_url()).content.decode()
    assert "Take part" in page
    assert world["event"].public_path() in page
    export_site(campaign_a, tmp_path, "")
    assert "Take part" not in (tmp_path / "index.html").read_text()
