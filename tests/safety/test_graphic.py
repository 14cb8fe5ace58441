"""The graphic media shield: marks, rules, the include, and each member's daily exposure."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from houseboat.safety.constants import GraphicRuleKind
from houseboat.safety.graphic import (
    MediaRecord,
    apply_graphic_rules,
    exposure_today,
    graphic_hashes,
    mark_graphic,
)
from houseboat.safety.models import GraphicExposure, GraphicMark, GraphicRule, SafetySettings

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def seen_url(sha256: str) -> str:
    return f"/t/team-a/safety/graphic/seen/{sha256}/"


# --- Marks and rules -----------------------------------------------------------------------------


def test_a_mark_follows_the_file_by_its_hash(team_a, team_b, alice):
    assert mark_graphic(team_a, SHA_A.upper(), by=alice, reason="bodies")
    assert not mark_graphic(team_a, SHA_A, by=alice)
    assert graphic_hashes(team_a, [SHA_A, SHA_B]) == {SHA_A}
    assert graphic_hashes(team_b, [SHA_A]) == set()


def test_a_mark_needs_a_real_hash(team_a, alice):
    with pytest.raises(ValueError, match="64 hexadecimal"):
        mark_graphic(team_a, "not-a-hash", by=alice)


def test_rules_mark_the_media_of_matching_items(team_a, django_assert_max_num_queries):
    GraphicRule.objects.create(team=team_a, kind=GraphicRuleKind.HASHTAG, value="Massacre")
    GraphicRule.objects.create(team=team_a, kind=GraphicRuleKind.KEYWORD, value="مجزرة")
    GraphicRule.objects.create(team=team_a, kind=GraphicRuleKind.COLUMN, value="Raw footage")
    records = [
        MediaRecord([SHA_A], text="Footage from today", hashtags=["#massacre"]),
        MediaRecord([SHA_B], text="صور المجزرة في القرية"),
        MediaRecord([SHA_C], text="anything", column="raw footage"),
        MediaRecord(["d" * 64], text="A peaceful march", hashtags=["march"]),
        MediaRecord(["not-a-hash"], hashtags=["massacre"]),
    ]
    with django_assert_max_num_queries(3):
        assert apply_graphic_rules(team_a, records) == 3
    reasons = dict(GraphicMark.objects.values_list("media_sha256", "reason"))
    assert reasons == {
        SHA_A: "tagged #massacre, marked graphic",
        SHA_B: "mentions “مجزرة”, marked graphic",
        SHA_C: "from the column “raw footage”, marked graphic",
    }
    assert all(mark.marked_by is None for mark in GraphicMark.objects.all())
    assert apply_graphic_rules(team_a, records) == 0


def test_a_team_without_rules_marks_nothing_and_asks_once(team_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert apply_graphic_rules(team_a, [MediaRecord([SHA_A], hashtags=["x"])]) == 0


# --- The pages -----------------------------------------------------------------------------------


def test_a_contributor_marks_a_file_and_goes_back_where_they_were(as_charlie, team_a):
    response = as_charlie.post(
        "/t/team-a/safety/graphic/mark/",
        {"media_sha256": SHA_A.upper(), "reason": "injuries", "next": "/t/team-a/archive/"},
    )
    assert response.status_code == 302 and response.url == "/t/team-a/archive/"
    assert GraphicMark.objects.get(team=team_a).media_sha256 == SHA_A


def test_marking_never_sends_a_person_to_another_site(as_charlie):
    response = as_charlie.post(
        "/t/team-a/safety/graphic/mark/",
        {"media_sha256": SHA_A, "next": "https://evil.example/"},
    )
    assert response.url == "/t/team-a/safety/graphic/"


def test_a_viewer_cannot_mark_and_a_contributor_cannot_unmark(as_victor, as_charlie, team_a):
    assert (
        as_victor.post("/t/team-a/safety/graphic/mark/", {"media_sha256": SHA_A}).status_code == 403
    )
    mark = GraphicMark.objects.create(team=team_a, media_sha256=SHA_A)
    assert as_charlie.post(f"/t/team-a/safety/graphic/marks/{mark.pk}/remove/").status_code == 403


def test_an_editor_adds_a_rule_and_unmarks_a_file(as_bob, team_a):
    response = as_bob.post(
        "/t/team-a/safety/graphic/rules/add/", {"kind": "hashtag", "value": "#Massacre"}
    )
    assert response.status_code == 302
    assert GraphicRule.objects.get().value == "Massacre"
    again = as_bob.post(
        "/t/team-a/safety/graphic/rules/add/", {"kind": "hashtag", "value": "Massacre"}
    )
    assert again.status_code == 400
    mark = GraphicMark.objects.create(team=team_a, media_sha256=SHA_A)
    assert as_bob.post(f"/t/team-a/safety/graphic/marks/{mark.pk}/remove/").status_code == 302
    assert not GraphicMark.objects.exists()


def test_an_owner_sets_the_daily_limit_and_an_editor_cannot(as_alice, as_bob, team_a):
    assert (
        as_bob.post("/t/team-a/safety/graphic/limit/", {"graphic_daily_limit": 5}).status_code
        == 403
    )
    assert (
        as_alice.post("/t/team-a/safety/graphic/limit/", {"graphic_daily_limit": 5}).status_code
        == 302
    )
    assert SafetySettings.for_team(team_a).graphic_daily_limit == 5
    bad = as_alice.post("/t/team-a/safety/graphic/limit/", {"graphic_daily_limit": -1})
    assert bad.status_code == 400


def test_the_page_shows_a_viewer_their_count_and_the_shield(as_victor):
    page = as_victor.get("/t/team-a/safety/graphic/").content.decode()
    assert "graphic items opened today" in page
    assert 'class="graphic shielded"' in page
    assert "Daily limit" not in page and "Add rule" not in page


# --- Exposure ----------------------------------------------------------------------------------


def test_each_item_revealed_counts_once_a_day(as_victor, victor, team_a):
    first = as_victor.post(seen_url(SHA_A)).json()
    assert first == {"seen_today": 1, "limit": 20, "take_a_break": False, "message": ""}
    assert as_victor.post(seen_url(SHA_A)).json()["seen_today"] == 1
    assert as_victor.post(seen_url(SHA_B.upper())).json()["seen_today"] == 2
    GraphicExposure.objects.update(day=timezone.localdate() - timedelta(days=1))
    assert exposure_today(team_a, victor).seen_today == 0


def test_past_the_limit_a_break_is_suggested(as_victor, team_a):
    SafetySettings.objects.create(team=team_a, graphic_daily_limit=2)
    as_victor.post(seen_url(SHA_A))
    answer = as_victor.post(seen_url(SHA_B)).json()
    assert answer["take_a_break"] is True
    assert answer["message"].startswith("You have looked at 2 graphic items today")
    page = as_victor.get("/t/team-a/safety/graphic/").content.decode()
    assert 'id="graphic-break"' in page and "take a break" in page


def test_a_limit_of_zero_never_suggests_a_break(as_victor, team_a):
    SafetySettings.objects.create(team=team_a, graphic_daily_limit=0)
    assert as_victor.post(seen_url(SHA_A)).json()["take_a_break"] is False


def test_counts_are_per_member(as_victor, as_bob, bob, team_a):
    as_victor.post(seen_url(SHA_A))
    assert exposure_today(team_a, bob).seen_today == 0


def test_a_reveal_of_something_that_is_not_a_hash_is_not_found(as_victor):
    assert as_victor.post(seen_url("not-a-hash")).status_code == 404
    assert as_victor.get(seen_url(SHA_A)).status_code == 405


# --- The include ---------------------------------------------------------------------------------


def render_include(team, **context) -> str:
    request = RequestFactory().get("/")
    template = Template(
        '{% include "safety/graphic_media.html" with src=src kind=kind graphic=graphic '
        "sha256=sha256 alt=alt %}"
    )
    return template.render(Context({"request": request, "team": team, **context}))


def test_the_include_shields_a_graphic_picture_and_counts_its_reveal(team_a):
    html = render_include(
        team_a, src="/media/x.jpg", kind="image", graphic=True, sha256=SHA_A, alt="a street"
    )
    assert 'class="graphic shielded"' in html
    assert f'data-seen-url="{seen_url(SHA_A)}"' in html
    assert '<img src="/media/x.jpg" alt="a street"' in html
    assert "safety/graphic.js" in html
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither


def test_the_include_mutes_a_graphic_video(team_a):
    html = render_include(team_a, src="/media/x.mp4", kind="video", graphic=True, sha256="")
    assert "<video" in html and " muted " in html
    assert "data-seen-url" not in html


def test_the_include_shows_an_ordinary_picture_plainly(team_a):
    html = render_include(team_a, src="/media/x.jpg", kind="image", graphic=False, sha256=SHA_A)
    assert "graphic" not in html and "<img" in html
