import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePost
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent

ATOM = "{http://www.w3.org/2005/Atom}"


def campaign_data(**overrides):
    data = {
        "name": "Open the Files",
        "slug": "",
        "summary": "Publish the contracts.",
        "goals": "Contracts published\nAudit opened",
        "hashtags": "#OpenTheFiles, HarbourFiles #openthefiles",
        "key_messages": "Sunlight is the best disinfectant",
        "starts_on": "2026-05-01",
        "ends_on": "2026-06-01",
        "site_public": "on",
    }
    return {**data, **overrides}


def test_editor_creates_a_campaign(as_bob, team_a):
    response = as_bob.post(f"/t/{team_a.slug}/campaigns/new/", campaign_data())
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert campaign.team == team_a and campaign.slug == "open-the-files"
    assert campaign.goals == ["Contracts published", "Audit opened"]
    assert campaign.hashtags == [
        "OpenTheFiles",
        "HarbourFiles",
    ]  # '#' dropped, case-insensitive duplicates merged
    assert AuditEvent.objects.filter(action=AuditAction.CAMPAIGN_CREATED, team=team_a).exists()


@pytest.mark.parametrize("persona", ["as_charlie", "as_victor"])
def test_contributors_and_viewers_cannot_create_campaigns(persona, request, team_a):
    response = request.getfixturevalue(persona).post(
        f"/t/{team_a.slug}/campaigns/new/", campaign_data()
    )
    assert response.status_code == 403
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_on", "2026-04-01", "cannot end before it starts"),
        ("hashtags", "#ok #not-ok", "#not-ok"),
        ("starts_on", "first of May", "Enter a valid date."),
        ("name", "", "This field is required."),
        ("slug", "free-the-ten", "is taken"),
    ],
)
def test_bad_campaign_input_is_refused_with_a_reason_and_saves_nothing(
    as_bob, team_a, campaign_a, field, value, message
):
    response = as_bob.post(f"/t/{team_a.slug}/campaigns/new/", campaign_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Campaign.objects.count() == 1


def test_editing_keeps_what_was_typed_when_the_form_is_wrong(as_bob, team_a, campaign_a):
    response = as_bob.post(
        f"/t/{team_a.slug}/campaigns/{campaign_a.slug}/edit/",
        campaign_data(name="Renamed", slug=campaign_a.slug, ends_on="2020-01-01"),
    )
    assert response.status_code == 400
    assert b'value="Renamed"' in response.content
    campaign_a.refresh_from_db()
    assert campaign_a.name == "Free the Ten"


def test_editor_edits_a_campaign_and_it_is_audited(as_bob, team_a, campaign_a):
    response = as_bob.post(
        f"/t/{team_a.slug}/campaigns/{campaign_a.slug}/edit/",
        campaign_data(name="Free the Ten Now", slug=campaign_a.slug),
    )
    assert response.status_code == 302
    campaign_a.refresh_from_db()
    assert campaign_a.name == "Free the Ten Now"
    assert "name" in AuditEvent.objects.get(action=AuditAction.CAMPAIGN_UPDATED).detail


def test_member_of_team_b_cannot_reach_team_a_campaign_by_url(
    as_mallory, team_a, team_b, campaign_a
):
    assert as_mallory.get(f"/t/{team_a.slug}/campaigns/{campaign_a.slug}/").status_code == 404
    # Nor through their own team's address.
    response = as_mallory.get(f"/t/{team_b.slug}/campaigns/{campaign_a.slug}/")
    assert response.status_code == 404
    assert b"Free the Ten" not in response.content
    assert (
        as_mallory.post(
            f"/t/{team_b.slug}/campaigns/{campaign_a.slug}/edit/", campaign_data(name="Taken")
        ).status_code
        == 404
    )
    campaign_a.refresh_from_db()
    assert campaign_a.name == "Free the Ten"


def test_dashboard_shows_goals_hashtags_and_messages(as_victor, team_a, campaign_a):
    page = as_victor.get(f"/t/{team_a.slug}/campaigns/{campaign_a.slug}/").content.decode()
    assert (
        "Secret goal of team A" in page and "#FreeTheTen" in page and "Internal key message" in page
    )
    assert "Edit campaign" not in page


def test_campaign_list_query_count_does_not_grow(as_alice, team_a, django_assert_max_num_queries):
    for n in range(12):
        Campaign.objects.create(team=team_a, name=f"C{n}", slug=f"c{n}")
    with django_assert_max_num_queries(10):
        assert as_alice.get(f"/t/{team_a.slug}/").status_code == 200


# --- Posts on the own site -------------------------------------------------------


def post_url(team, campaign, suffix=""):
    return f"/t/{team.slug}/campaigns/{campaign.slug}/posts/{suffix}"


def test_contributor_drafts_but_cannot_publish(as_charlie, charlie, team_a, campaign_a):
    response = as_charlie.post(
        post_url(team_a, campaign_a, "new/"), {"title": "Vigil", "body": "Friday", "publish": "1"}
    )
    assert response.status_code == 403
    assert not SitePost.objects.exists()

    as_charlie.post(
        post_url(team_a, campaign_a, "new/"), {"title": "Vigil", "body": "Friday", "draft": "1"}
    )
    post = SitePost.objects.get()
    assert post.status == PostStatus.DRAFT and post.author == charlie

    assert as_charlie.post(post_url(team_a, campaign_a, f"{post.pk}/publish/")).status_code == 403
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert b"Vigil" not in Client().get(campaign_a.public_url()).content


def test_contributor_cannot_edit_someone_elses_draft(as_charlie, bob, team_a, campaign_a):
    post = SitePost.objects.create(campaign=campaign_a, title="Bob's", body="x", author=bob)
    response = as_charlie.post(
        post_url(team_a, campaign_a, f"{post.pk}/"), {"title": "Mine now", "body": "x"}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "Bob's"


def test_editor_publishes_a_draft_and_it_reaches_the_public_page_and_feed(
    as_bob, charlie, team_a, campaign_a
):
    post = SitePost.objects.create(
        campaign=campaign_a,
        title="Vigil on Friday",
        body="Bring a candle & a friend.",
        author=charlie,
    )
    assert as_bob.post(post_url(team_a, campaign_a, f"{post.pk}/publish/")).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    assert b"Vigil on Friday" in Client().get(campaign_a.public_url()).content
    entry = ET.fromstring(Client().get(campaign_a.feed_url()).content).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Vigil on Friday"
    assert AuditEvent.objects.filter(
        action=AuditAction.POST_PUBLISHED, target="Vigil on Friday"
    ).exists()


def test_taking_a_post_down_removes_it_from_the_public_page(as_bob, bob, team_a, campaign_a):
    post = SitePost.objects.create(
        campaign=campaign_a, title="Mistake", body="x", author=bob, status=PostStatus.PUBLISHED
    )
    as_bob.post(post_url(team_a, campaign_a, f"{post.pk}/unpublish/"))
    assert b"Mistake" not in Client().get(campaign_a.public_url()).content
    assert Client().get(f"{campaign_a.public_url()}posts/{post.pk}/").status_code == 404


# --- The public page and feed ------------------------------------------------------


@pytest.fixture
def published(campaign_a, bob, charlie):
    from django.utils import timezone

    SitePost.objects.create(
        campaign=campaign_a, title="Draft by charlie", body="not yet", author=charlie
    )
    return SitePost.objects.create(
        campaign=campaign_a,
        title="Day 60",
        body="Still <b>no</b> charge.\n\nRelease them.",
        author=bob,
        status=PostStatus.PUBLISHED,
        published_at=timezone.now(),
    )


def test_public_page_shows_published_posts_and_nothing_else_of_the_team(
    published, campaign_a, alice
):
    page = Client().get("/c/free-the-ten/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Free the Ten" in text and "Day 60" in text and "Public summary" in text
    for private in [
        "Draft by charlie",
        "bob",
        "charlie",
        "alice",
        "Team A",
        "Secret goal",
        "Internal key message",
    ]:
        assert private not in text, private
    assert "Still &lt;b&gt;no&lt;/b&gt; charge." in text  # text is escaped, never HTML


def test_public_post_page_and_draft_404(published, campaign_a):
    assert b"Release them." in Client().get(f"/c/free-the-ten/posts/{published.pk}/").content
    draft = SitePost.objects.get(status=PostStatus.DRAFT)
    assert Client().get(f"/c/free-the-ten/posts/{draft.pk}/").status_code == 404


def test_feed_is_valid_atom_with_absolute_links_and_no_author(published, campaign_a):
    response = Client().get("/c/free-the-ten/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Free the Ten"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Day 60"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://testserver/c/free-the-ten/posts/{published.pk}/"
    assert entries[0].findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert b"bob" not in response.content


def test_private_campaign_has_no_public_page_or_feed(published, campaign_a):
    campaign_a.site_public = False
    campaign_a.save()
    assert Client().get("/c/free-the-ten/").status_code == 404
    assert Client().get("/c/free-the-ten/feed.atom").status_code == 404


def test_unknown_campaign_slug_is_a_clear_404(db):
    response = Client().get("/c/no-such-campaign/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_public_pages_need_no_login_and_refuse_writes(published):
    assert Client().get("/c/free-the-ten/").status_code == 200
    assert Client().post("/c/free-the-ten/").status_code == 405


# --- Static export -----------------------------------------------------------------


def test_export_site_writes_a_static_copy_whose_links_resolve(published, campaign_a, tmp_path):
    out = tmp_path / "site"
    call_command("export_site", campaign="free-the-ten", out=str(out))
    index = (out / "index.html").read_text()
    assert "Day 60" in index and "Draft by charlie" not in index
    post_page = out / "posts" / str(published.pk) / "index.html"
    assert post_page.exists()
    # Every relative link in the pages points at a file that was written.
    for page in [out / "index.html", post_page]:
        for href in _local_links(page.read_text()):
            target = (page.parent / href).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.name} links to missing {href}"
    feed = ET.parse(out / "feed.atom").getroot()
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href") == f"posts/{published.pk}/"
    assert AuditEvent.objects.filter(action=AuditAction.SITE_EXPORTED).exists()


def test_export_site_with_an_address_writes_absolute_feed_links(published, tmp_path):
    call_command(
        "export_site",
        campaign="free-the-ten",
        out=str(tmp_path),
        url="https://free.example.org/ten",
    )
    feed = ET.parse(tmp_path / "feed.atom").getroot()
    assert (
        feed.find(f"{ATOM}entry/{ATOM}link").get("href")
        == f"https://free.example.org/ten/posts/{published.pk}/"
    )


def test_export_site_same_entry_ids_as_the_live_feed(published, tmp_path):
    call_command("export_site", campaign="free-the-ten", out=str(tmp_path))
    exported = ET.parse(tmp_path / "feed.atom").getroot().findtext(f"{ATOM}entry/{ATOM}id")
    live = ET.fromstring(Client().get("/c/free-the-ten/feed.atom").content).findtext(
        f"{ATOM}entry/{ATOM}id"
    )
    assert exported == live


def test_export_site_of_an_unknown_campaign_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No campaign is called 'nope'"):
        call_command("export_site", campaign="nope", out=str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def _local_links(html: str) -> list[str]:
    import re

    return [
        h
        for h in re.findall(r'(?:href|src)="([^"]+)"', html)
        if "://" not in h and not h.startswith(("#", "data:"))
    ]


def test_the_public_page_speaks_the_campaigns_language_whatever_the_browser(campaign_a):
    campaign_a.site_language = "ar"
    campaign_a.save()
    page = Client(headers={"accept-language": "en"}).get("/c/free-the-ten/")
    assert 'lang="ar"' in page.content.decode() and 'dir="rtl"' in page.content.decode()
    assert page.headers["Content-Language"] == "ar"


def test_a_visitor_can_switch_to_the_second_language_and_it_stays_on_the_campaigns_pages(
    campaign_a,
):
    campaign_a.site_language, campaign_a.site_second_language = "es", "fr"
    campaign_a.save()
    visitor = Client()
    first = visitor.get("/c/free-the-ten/").content.decode()
    assert 'lang="es"' in first and 'href="?lang=fr"' in first
    assert 'lang="fr"' in visitor.get("/c/free-the-ten/?lang=fr").content.decode()
    later = visitor.get("/c/free-the-ten/").content.decode()
    assert 'lang="fr"' in later and 'href="?lang=es"' in later
    # A language the campaign does not offer is ignored.
    assert 'lang="fr"' in visitor.get("/c/free-the-ten/?lang=ru").content.decode()


def test_the_feed_and_the_static_copy_are_in_the_campaigns_language(campaign_a, tmp_path):
    from houseboat.campaigns.site import export_site

    campaign_a.site_language = "fa"
    campaign_a.save()
    assert 'xml:lang="fa"' in Client().get("/c/free-the-ten/feed.atom").content.decode()
    export_site(campaign_a, tmp_path, "")
    assert 'lang="fa" dir="rtl"' in (tmp_path / "index.html").read_text()
