"""Archive media: served only to the team whose archive uses them, shown shielded when graphic."""

import hashlib
import io
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from PIL import Image

from houseboat.campaigns.models import Campaign
from houseboat.listening.imports import run_import
from houseboat.listening.models import Item, MediaBlob
from houseboat.safety.constants import GraphicRuleKind
from houseboat.safety.models import GraphicExposure, GraphicMark, GraphicRule, SafetySettings
from tests.listening.samples import (
    ACCOUNT_JS,
    MANIFEST_JS,
    PHOTO,
    tweets_js,
    v1_tweet,
    x_archive_zip,
)

pytestmark = pytest.mark.django_db

ARCHIVE = reverse("listening:archive", kwargs={"team_slug": "team-a"})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


PNG = png()
NOT_A_PICTURE = b"<html><script>alert(1)</script></html>" * 10


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_url(digest: str, team: str = "team-a") -> str:
    return reverse("listening:media", kwargs={"team_slug": team, "sha256": digest})


def mark_url(digest: str) -> str:
    return reverse("listening:media_mark", kwargs={"team_slug": "team-a", "sha256": digest})


def import_pictures(campaign: Campaign, folder: Path, pictures: dict[str, tuple[str, bytes]]):
    """Import an X archive whose posts each carry one picture: {post id: (text, bytes)}."""
    folder.mkdir(parents=True, exist_ok=True)
    tweets, files = [], {}
    for number, (tweet_id, (text, data)) in enumerate(pictures.items()):
        tags = tuple(word.lstrip("#") for word in text.split() if word.startswith("#"))
        name = f"Pic{number}.jpg"  # every file claims to be a JPEG, whatever it is
        tweets.append({"tweet": v1_tweet(tweet_id, text, hashtags=tags, photo=name)})
        files[f"data/tweets_media/{tweet_id}-{name}"] = data
    path = x_archive_zip(
        folder / f"{campaign.slug}.zip",
        {
            "data/manifest.js": MANIFEST_JS,
            "data/account.js": ACCOUNT_JS,
            "data/tweets.js": tweets_js(tweets),
            **files,
        },
    )
    return run_import(campaign=campaign, format="x-archive", path=path)


@pytest.fixture
def pictures(campaign_a, tmp_path):
    import_pictures(
        campaign_a,
        tmp_path / "a",
        {
            "1795000000000000201": ("A vigil by the river", PHOTO),
            "1795000000000000202": ("The square after the raid", PNG),
            "1795000000000000203": ("A document", NOT_A_PICTURE),
        },
    )
    return campaign_a


@pytest.fixture
def campaign_b(team_b):
    return Campaign.objects.create(team=team_b, name="Harbour", slug="harbour")


# --- the media view -----------------------------------------------------------------------


def test_a_member_gets_a_picture_as_a_private_uncached_image(as_victor, pictures):
    response = as_victor.get(media_url(sha(PHOTO)))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PHOTO
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "Content-Disposition" not in response or "attachment" not in response["Content-Disposition"]
    )


def test_the_content_type_comes_from_the_bytes_not_the_name(as_victor, pictures):
    assert MediaBlob.objects.get(sha256=sha(PNG)).mime_type == "image/jpeg"  # from "Pic1.jpg"
    response = as_victor.get(media_url(sha(PNG)))
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_a_file_that_is_not_a_picture_is_only_downloaded(as_victor, pictures):
    response = as_victor.get(media_url(sha(NOT_A_PICTURE)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_another_team_gets_404_for_the_teams_media(as_mallory, pictures, campaign_b):
    assert as_mallory.get(media_url(sha(PHOTO))).status_code == 404
    assert as_mallory.get(media_url(sha(PHOTO), team="team-b")).status_code == 404


def test_a_file_only_another_teams_archive_uses_is_404(as_alice, pictures, campaign_b, tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (9, 9), (0, 90, 0)).save(out, format="PNG")
    other = out.getvalue()
    import_pictures(campaign_b, tmp_path / "b", {"1795000000000000301": ("theirs", other)})
    assert MediaBlob.objects.filter(sha256=sha(other)).exists()
    assert as_alice.get(media_url(sha(other))).status_code == 404


def test_a_hash_no_item_uses_and_a_malformed_hash_are_404(as_alice, pictures):
    assert as_alice.get(media_url("a" * 64)).status_code == 404
    assert as_alice.get(media_url("not-a-hash")).status_code == 404
    Item.objects.filter(text="A vigil by the river").delete()
    assert MediaBlob.objects.filter(sha256=sha(PHOTO)).exists()
    assert as_alice.get(media_url(sha(PHOTO))).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, pictures):
    response = client.get(media_url(sha(PHOTO)))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "sign" in response["Location"]


# --- the archive page ---------------------------------------------------------------------


def test_a_marked_picture_is_shielded_with_the_reason_and_the_others_are_plain(as_bob, pictures):
    GraphicMark.objects.create(
        team=pictures.team, media_sha256=sha(PNG), reason="shows the injured"
    )
    page = as_bob.get(ARCHIVE).content.decode()
    shielded = page.split('<figure class="graphic shielded"')
    assert len(shielded) == 2
    figure = shielded[1].split("</figure>")[0]
    assert f'<img src="{media_url(sha(PNG))}"' in figure
    assert "Graphic content" in figure
    assert "shows the injured" in figure
    assert "Select to show the picture" in figure
    assert f'data-seen-url="/t/team-a/safety/graphic/seen/{sha(PNG)}/"' in shielded[1]
    # The other picture is plain, with a button to mark it; the document is a download.
    assert f'<img src="{media_url(sha(PHOTO))}"' in page
    assert media_url(sha(PHOTO)) not in figure
    assert f'action="{mark_url(sha(PHOTO))}"' in page
    assert f'href="{media_url(sha(NOT_A_PICTURE))}"' in page
    assert "Download the attached file" in page
    assert f'<img src="{media_url(sha(NOT_A_PICTURE))}"' not in page
    # The shielded one offers "Not graphic" to an editor.
    assert f'action="{mark_url(sha(PNG))}"' in page
    assert "Not graphic" in page


def test_a_team_rule_shields_the_media_of_items_it_matches(as_victor, campaign_a, tmp_path):
    import_pictures(
        campaign_a,
        tmp_path / "a",
        {
            "1795000000000000211": ("After the raid #Massacre", PNG),
            "1795000000000000212": ("A vigil by the river", PHOTO),
        },
    )
    GraphicRule.objects.create(team=campaign_a.team, kind=GraphicRuleKind.HASHTAG, value="massacre")
    page = as_victor.get(ARCHIVE).content.decode()
    [_before, figure] = page.split('<figure class="graphic shielded"')
    assert media_url(sha(PNG)) in figure.split("</figure>")[0]
    assert "tagged #Massacre, marked graphic" in figure
    assert "Shielded by one of the team's rules" in figure
    assert f'<img src="{media_url(sha(PHOTO))}"' in page
    assert not GraphicMark.objects.exists()  # the rule decides as the page is shown


def test_a_viewer_sees_no_mark_buttons(as_victor, pictures):
    page = as_victor.get(ARCHIVE).content.decode()
    assert "Mark graphic" not in page
    assert "Not graphic" not in page


def test_an_editor_marks_and_unmarks_a_picture_and_comes_back_to_the_same_search(as_bob, pictures):
    back = f"{ARCHIVE}?q=raid&campaign=free-the-ten"
    response = as_bob.post(mark_url(sha(PNG)), {"graphic": "yes", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    mark = GraphicMark.objects.get(team=pictures.team)
    assert (mark.media_sha256, mark.marked_by.username) == (sha(PNG), "bob")
    page = as_bob.get(back).content.decode()
    assert '<figure class="graphic shielded"' in page
    assert "marked graphic by a team member" in page
    assert "Marked graphic: it is shown shielded to everyone." in page

    response = as_bob.post(mark_url(sha(PNG)), {"graphic": "no", "next": back})
    assert response["Location"] == back
    assert not GraphicMark.objects.exists()
    assert '<figure class="graphic shielded"' not in as_bob.get(back).content.decode()


def test_a_viewer_cannot_mark_and_a_contributor_cannot_unmark(as_victor, as_charlie, pictures):
    assert as_victor.post(mark_url(sha(PNG)), {"graphic": "yes"}).status_code == 403
    assert not GraphicMark.objects.exists()
    assert as_charlie.post(mark_url(sha(PNG)), {"graphic": "yes"}).status_code == 302
    assert GraphicMark.objects.count() == 1
    assert as_charlie.post(mark_url(sha(PNG)), {"graphic": "no"}).status_code == 403
    assert GraphicMark.objects.count() == 1


def test_marking_refuses_another_teams_media_and_an_outside_next(
    as_bob, as_mallory, pictures, campaign_b
):
    assert as_mallory.post(mark_url(sha(PNG)), {"graphic": "yes"}).status_code == 404
    assert as_bob.post(mark_url("b" * 64), {"graphic": "yes"}).status_code == 404
    assert not GraphicMark.objects.exists()
    response = as_bob.post(mark_url(sha(PNG)), {"graphic": "yes", "next": "https://evil.example/"})
    assert response["Location"] == ARCHIVE


def test_revealing_from_the_archive_counts_and_past_the_limit_a_break_is_suggested(
    as_victor, victor, pictures
):
    SafetySettings.objects.create(team=pictures.team, graphic_daily_limit=1)
    GraphicMark.objects.create(team=pictures.team, media_sha256=sha(PNG))
    page = as_victor.get(ARCHIVE).content.decode()
    assert '<div id="graphic-break" class="message warning break-banner" role="status" hidden>' in (
        page
    )
    seen = page.split('data-seen-url="')[1].split('"')[0]
    answer = as_victor.post(seen).json()
    assert answer["take_a_break"] is True
    assert GraphicExposure.objects.get().user == victor
    page = as_victor.get(ARCHIVE).content.decode()
    assert "You have looked at 1 graphic item today" in page
    assert "take a break" in page


def test_a_page_of_items_with_media_costs_the_same_few_queries(
    as_victor, pictures, tmp_path, django_assert_max_num_queries
):
    many = {}
    for n in range(30):
        out = io.BytesIO()
        Image.new("RGB", (4, 4), (n, 0, 0)).save(out, format="PNG")
        many[str(1795000000000000400 + n)] = (f"post {n} #Riverside", out.getvalue())
    import_pictures(pictures, tmp_path / "many", many)
    GraphicRule.objects.create(team=pictures.team, kind=GraphicRuleKind.KEYWORD, value="post 29")
    GraphicMark.objects.create(team=pictures.team, media_sha256=sha(many["1795000000000000428"][1]))
    # Six for the session, sign-in and membership; the campaigns and the latest capture;
    # the count and the page in a savepoint; the media, the marks and the rules; the daily
    # exposure and the team's limit for the break banner. None per item or picture.
    # PostgreSQL adds two: the search's work_mem and the planner's estimate of the count.
    with django_assert_max_num_queries(16 + (2 if connection.vendor == "postgresql" else 0)):
        response = as_victor.get(ARCHIVE, {"campaign": "free-the-ten"})
    page = response.content.decode()
    assert page.count("<img ") >= 25
    assert page.count('<figure class="graphic shielded"') == 2


def test_the_demo_archive_shows_one_harmless_picture_shielded(client):
    from houseboat import demo

    demo.seed()
    campaign = Campaign.objects.get(slug="free-the-riverside-ten")
    [mark] = GraphicMark.objects.filter(team=campaign.team)
    assert mark.reason == "An example: this picture of candles is harmless"
    client.force_login(mark.marked_by)
    url = reverse("listening:archive", kwargs={"team_slug": campaign.team.slug})
    page = client.get(url, {"campaign": campaign.slug, "media": "yes"}).content.decode()
    assert page.count('<figure class="graphic shielded"') == 1
    assert "An example: this picture of candles is harmless" in page
    assert page.count("<img ") == 2


@pytest.mark.django_db(transaction=True)
def test_an_imports_media_files_are_copied_before_the_batch_transaction(
    campaign_a, tmp_path, monkeypatch
):
    from django.db import connection

    from houseboat.listening import ingest

    real, inside = ingest.store_media_file, []

    def spy(*args, **kwargs):
        # On SQLite the transaction holds the write lock from BEGIN: a 2 GiB copy inside
        # it made every other writer wait (and fail after 20 s).
        inside.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "store_media_file", spy)

    import_pictures(
        campaign_a,
        tmp_path / "a",
        {"1795000000000000201": ("A vigil", PHOTO), "1795000000000000202": ("Raid", PNG)},
    )

    assert inside == [False, False]
    assert MediaBlob.objects.count() == 2
    assert Item.objects.filter(media__blob__isnull=False).count() == 2
