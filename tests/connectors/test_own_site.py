"""The own site: every campaign has one, and a delivery can never publish twice."""

from xml.etree import ElementTree

from django.test import Client

from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import SitePost
from houseboat.campaigns.site import atom_id
from houseboat.connectors.base import OutgoingPost, PayloadRejected
from houseboat.connectors.models import Channel


def own_site(campaign):
    return Channel.objects.get(network="own_site", config__campaign_id=campaign.pk)


def test_every_new_campaign_gets_its_own_site_channel(campaign_a):
    channel = own_site(campaign_a)
    assert channel.team == campaign_a.team
    assert "Free the Ten" in channel.name


def test_publishing_to_the_own_site_shows_the_post_on_the_public_page_and_feed(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    post = OutgoingPost(
        text="Vigil on Friday at the ministry\nBring candles.",
        idempotency_key="delivery-1",
        options={"author_id": alice.pk},
    )
    published = connector.publish(post)
    site_post = SitePost.objects.get(pk=published.remote_id)
    assert site_post.title == "Vigil on Friday at the ministry"
    assert site_post.status == PostStatus.PUBLISHED
    assert published.url.endswith(f"/c/free-the-ten/posts/{site_post.pk}/")
    assert b"Bring candles." in Client().get(published.url).content
    assert b"Vigil on Friday" in Client().get(campaign_a.feed_url()).content


def test_the_same_delivery_published_twice_makes_one_post(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    post = OutgoingPost(
        text="Once only", idempotency_key="delivery-2", options={"author_id": alice.pk}
    )
    first, second = connector.publish(post), connector.publish(post)
    assert first.remote_id == second.remote_id
    assert SitePost.objects.filter(body="Once only").count() == 1


def test_deleting_takes_the_post_off_the_public_page(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    published = connector.publish(
        OutgoingPost(text="Short-lived", idempotency_key="d3", options={"author_id": alice.pk})
    )
    connector.delete(published)
    page = Client().get(published.url)
    # Gone for good (410), with a tombstone that says it was removed and nothing of why.
    assert page.status_code == 410
    assert b"This post was removed." in page.content
    assert b"Short-lived" not in page.content
    assert [item.text for item in connector.recent_posts()] == []
    assert connector.exists(published) is False


def test_a_removed_post_leaves_the_feed_with_a_tombstone(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    kept = connector.publish(
        OutgoingPost(text="Stays up", idempotency_key="d5", options={"author_id": alice.pk})
    )
    removed = connector.publish(
        OutgoingPost(text="Comes down", idempotency_key="d6", options={"author_id": alice.pk})
    )
    connector.delete(removed)
    feed = ElementTree.fromstring(Client().get(campaign_a.feed_url()).content)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.findtext(f"{atom}title") for entry in feed.iter(f"{atom}entry")]
    assert titles == ["Stays up"]
    tombstones = feed.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert [t.get("ref") for t in tombstones] == [
        atom_id(campaign_a.slug, "post", removed.remote_id)
    ]
    assert tombstones[0].get("when")
    assert b"Comes down" not in Client().get(campaign_a.feed_url()).content
    assert connector.exists(kept) is True


def test_deleting_twice_is_no_error(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    published = connector.publish(
        OutgoingPost(text="Twice gone", idempotency_key="d7", options={"author_id": alice.pk})
    )
    connector.delete(published)
    connector.delete(published)
    assert SitePost.objects.get(pk=published.remote_id).status == PostStatus.REMOVED


def test_a_channel_whose_campaign_is_gone_says_so(campaign_a):
    channel = own_site(campaign_a)
    connector = channel.connector()
    campaign_a.delete()
    try:
        connector.check()
    except PayloadRejected as error:
        assert "no longer exists" in str(error)
    else:
        raise AssertionError("check() should refuse")


def test_check_warns_while_the_public_page_is_off(campaign_a):
    campaign_a.site_public = False
    campaign_a.save()
    account = own_site(campaign_a).connector().check()
    assert account.handle == "/c/free-the-ten/"
    assert any("public page is off" in note for note in account.notes)


# --- pictures and titles on the public page ---------------------------------------------------

import io  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from PIL import Image  # noqa: E402

from houseboat.campaigns.site import export_site  # noqa: E402
from houseboat.connectors.base import MediaFile  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"


def picture_file(tmp_path, name="candles.png", colour=(200, 120, 40)):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def publish_with_picture(campaign, author, tmp_path, text="Vigil tonight\nBring a candle."):
    connector = own_site(campaign).connector()
    path = picture_file(tmp_path)
    published = connector.publish(
        OutgoingPost(
            text=text,
            idempotency_key="delivery-pictures",
            media=[MediaFile(path, "image/png", alt="Candles outside the Courier")],
            options={"author_id": author.pk},
        )
    )
    return SitePost.objects.get(pk=published.remote_id), path


def test_a_post_s_pictures_appear_with_their_descriptions_on_the_public_pages(
    campaign_a, alice, tmp_path
):
    site_post, source = publish_with_picture(campaign_a, alice, tmp_path)
    picture = site_post.pictures.get()
    url = f"/c/free-the-ten/pictures/{picture.name}"
    tag = f'<img src="{url}" alt="Candles outside the Courier"'

    assert tag in Client().get("/c/free-the-ten/").content.decode()
    assert tag in Client().get(f"/c/free-the-ten/posts/{site_post.pk}/").content.decode()
    served = Client().get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == source.read_bytes()
    # The page keeps its picture when the composer's file goes.
    source.unlink()
    assert Client().get(url).status_code == 200


def test_the_feed_carries_each_picture_as_an_enclosure_and_in_the_entry(
    campaign_a, alice, tmp_path
):
    site_post, source = publish_with_picture(campaign_a, alice, tmp_path)
    picture = site_post.pictures.get()
    feed = ET.fromstring(Client().get(campaign_a.feed_url()).content)
    entry = feed.find(f"{ATOM}entry")
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")

    assert enclosure.get("href") == f"http://testserver/c/free-the-ten/pictures/{picture.name}"
    assert enclosure.get("type") == "image/png"
    assert enclosure.get("length") == str(source.stat().st_size)
    content = entry.find(f"{ATOM}summary").text
    assert f'<img src="{enclosure.get("href")}" alt="Candles outside the Courier">' in content


def test_a_picture_of_a_draft_or_of_another_campaign_is_not_served(
    campaign_a, alice, tmp_path, team_a
):
    site_post, _ = publish_with_picture(campaign_a, alice, tmp_path)
    picture = site_post.pictures.get()
    site_post.status = PostStatus.DRAFT
    site_post.save()
    assert Client().get(f"/c/free-the-ten/pictures/{picture.name}").status_code == 404
    site_post.status = PostStatus.PUBLISHED
    site_post.save()
    assert Client().get(f"/c/free-the-ten/pictures/{picture.pk}.gif").status_code == 404


def test_the_static_copy_holds_the_pictures_its_pages_show(campaign_a, alice, tmp_path):
    site_post, source = publish_with_picture(campaign_a, alice, tmp_path)
    picture = site_post.pictures.get()
    out = tmp_path / "site"
    export_site(campaign_a, out, "")

    assert (out / "pictures" / picture.name).read_bytes() == source.read_bytes()
    page = (out / "posts" / str(site_post.pk) / "index.html").read_text()
    assert f'src="../../pictures/{picture.name}"' in page


def main_of(page: bytes) -> str:
    text = page.decode()
    return text[text.index("<main>") : text.index("</main>")]


def test_a_short_post_is_not_repeated_as_its_own_title(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    published = connector.publish(
        OutgoingPost(
            text="Vigil tonight at 6 pm, Quay Street.",
            idempotency_key="delivery-short",
            options={"author_id": alice.pk},
        )
    )
    for address in ("/c/free-the-ten/", published.url):
        main = main_of(Client().get(address).content)
        assert main.count("Vigil tonight at 6 pm, Quay Street.") == 1, address


def test_a_long_single_paragraph_is_not_repeated_as_its_own_cut_title(campaign_a, alice):
    words = "Sixty days without charge is punishment without trial, and " * 4
    connector = own_site(campaign_a).connector()
    connector.publish(
        OutgoingPost(
            text=words.strip(), idempotency_key="delivery-long", options={"author_id": alice.pk}
        )
    )
    main = main_of(Client().get("/c/free-the-ten/").content)
    assert main.count("Sixty days without charge") == 4  # the text itself, and no title


def test_a_first_line_becomes_the_title_and_is_not_shown_twice(campaign_a, alice):
    connector = own_site(campaign_a).connector()
    published = connector.publish(
        OutgoingPost(
            text="Day 60\n\nStill no charge.",
            idempotency_key="delivery-titled",
            options={"author_id": alice.pk},
        )
    )
    main = main_of(Client().get(published.url).content)
    assert "<h1>Day 60</h1>" in main and main.count("Day 60") == 1
    assert "Still no charge." in main
