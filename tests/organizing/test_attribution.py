"""Tracked links, answers and donations: traced to the channel and post, never to a visitor."""

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from houseboat.organizing import fundraising, links
from houseboat.organizing.constants import ActionKind, ResponseKind
from houseboat.organizing.models import CallToAction, Response, Supporter, TrackedLink
from houseboat.publishing.models import Post

VISITOR_IP = "203.0.113.77"


def database_text() -> str:
    """Every text value in every table, to look for what must never be stored."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the database)
            found += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(found)


def test_a_click_is_counted_and_sent_on_with_utm_and_the_code(event, x_channel):
    link = links.make_link(event, channel=x_channel)
    response = Client(REMOTE_ADDR=VISITOR_IP).get(links.short_path(link))
    assert response.status_code == 302
    assert response["Location"].startswith(event.public_path())
    for part in (
        "utm_source=x",
        "utm_medium=social",
        "utm_campaign=free-the-ten",
        f"via={link.code}",
    ):
        assert part in response["Location"]
    assert response["Cache-Control"] == "no-store"
    link.refresh_from_db()
    assert link.clicks == 1
    assert link.last_clicked_on == timezone.localdate()


def test_an_unknown_link_is_404_and_counts_nothing(event):
    assert Client().get("/r/zzzzzzz").status_code == 404
    assert Client().get("/r/..%2F").status_code == 404


def test_an_rsvp_through_a_link_is_traced_to_its_channel_and_post(event, x_channel, alice):
    post = Post.objects.create(
        team=event.campaign.team, campaign=event.campaign, author=alice, text="Come"
    )
    link = links.make_link(event, channel=x_channel, post=post)
    visitor = Client(REMOTE_ADDR=VISITOR_IP, HTTP_USER_AGENT="Mozilla/5.0 TestPhone")
    landing = visitor.get(visitor.get(links.short_path(link))["Location"])
    assert f'value="{link.code}"' in landing.content.decode()
    answer = visitor.post(event.public_path(), {"name": "Amal", "via": link.code})
    assert answer.status_code == 200
    rsvp = Response.objects.get()
    assert (rsvp.kind, rsvp.link, rsvp.channel, rsvp.post) == (
        ResponseKind.RSVP,
        link,
        x_channel,
        post,
    )
    assert rsvp.supporter.name == "Amal"
    stored = database_text()
    assert VISITOR_IP not in stored
    assert "TestPhone" not in stored


def test_no_ip_address_is_stored_by_sign_up_answer_or_click(campaign_a, event):
    link = links.make_link(event, source="poster")
    visitor = Client(REMOTE_ADDR=VISITOR_IP, HTTP_X_FORWARDED_FOR="198.51.100.9")
    visitor.get(links.short_path(link))
    visitor.post(event.public_path(), {"name": "Sam", "email": "sam@example.org", "via": link.code})
    visitor.post(
        reverse("act:signup", args=[campaign_a.slug]),
        {"name": "Lina", "whatsapp": "+447700900999", "consent": ["whatsapp"]},
    )
    assert Supporter.objects.count() == 2
    stored = database_text()
    assert VISITOR_IP not in stored
    assert "198.51.100.9" not in stored


def test_a_payment_file_attributes_donations_to_the_post_that_brought_them(
    campaign_a, x_channel, alice
):
    donate = CallToAction.objects.create(
        campaign=campaign_a,
        kind=ActionKind.DONATION,
        title="Legal fund",
        target_url="https://pay.example.org/ten",
    )
    post = Post.objects.create(team=campaign_a.team, campaign=campaign_a, author=alice, text="Give")
    link = links.make_link(donate, channel=x_channel, post=post)
    text = (
        "id,date,amount,currency,reference,email\n"
        f"ch_1,2026-11-30,25.00,EUR,{link.code},\n"
        "ch_2,2026-11-30T10:00:00Z,10,eur,,\n"
        "ch_3,yesterday,5,EUR,,\n"
        "ch_4,2026-11-30,-3,EUR,,\n"
    )
    report = fundraising.import_payments(donate, text.encode())
    assert (report.added, report.repeated) == (2, 0)
    assert [line for line, _ in report.bad] == [4, 5]
    again = fundraising.import_payments(donate, text.encode())
    assert (again.added, again.repeated) == (0, 2)
    totals = fundraising.totals(campaign_a)
    assert totals.total == [{"currency": "EUR", "cents": 3500, "count": 2}]
    by_post = {row["post_id"]: row["cents"] for row in totals.by_post}
    assert by_post == {post.pk: 2500, None: 1000}
    by_channel = {row["channel__name"]: row["cents"] for row in totals.by_channel}
    assert by_channel == {"X main": 2500, None: 1000}
    exported = fundraising.export_csv(campaign_a).splitlines()
    assert exported[0].startswith("date,amount,currency,action,channel,post,link")
    assert any(f"25.00,EUR,Legal fund,X main,{post.pk},{link.code}" in line for line in exported)


def test_the_donations_page_shows_totals_per_channel(as_victor, campaign_a, x_channel):
    donate = CallToAction.objects.create(
        campaign=campaign_a,
        kind=ActionKind.DONATION,
        title="Legal fund",
        target_url="https://pay.example.org",
    )
    link = links.make_link(donate, channel=x_channel)
    Response.objects.create(
        action=donate,
        campaign=campaign_a,
        kind="donated",
        source="organiser",
        amount_cents=123456,
        currency="EUR",
        link=link,
        channel=x_channel,
    )
    page = as_victor.get(reverse("organizing:money", args=[campaign_a.team.slug]))
    assert "1,234.56 EUR" in page.content.decode()


def test_check_in_from_the_door_records_attendance_once(as_charlie, event):
    visitor = Client()
    visitor.post(event.public_path(), {"name": "Amal"})
    rsvp = Response.objects.get(kind=ResponseKind.RSVP)
    url = reverse("organizing:checkin_mark", args=[event.campaign.team.slug, event.pk])
    as_charlie.post(url, {"rsvp": rsvp.pk, "what": "confirm", "back": "checkin"})
    as_charlie.post(url, {"rsvp": rsvp.pk, "what": "arrived", "back": "checkin"})
    as_charlie.post(url, {"rsvp": rsvp.pk, "what": "arrived", "back": "checkin"})
    as_charlie.post(url, {"what": "arrived", "back": "checkin"})  # a walk-in
    rsvp.refresh_from_db()
    assert rsvp.confirmed_at is not None
    attended = Response.objects.filter(kind=ResponseKind.ATTENDED)
    assert attended.count() == 2
    assert attended.filter(supporter=rsvp.supporter).count() == 1
    page = as_charlie.get(reverse("organizing:checkin", args=[event.campaign.team.slug, event.pk]))
    assert "1 of 1 arrived" in page.content.decode()


def test_a_full_event_takes_no_more_rsvps(event):
    event.capacity = 1
    event.save()
    Client().post(event.public_path(), {"name": "Amal"})
    second = Client().post(event.public_path(), {"name": "Sam"})
    assert second.status_code == 409
    assert Response.objects.count() == 1


def test_a_closed_campaign_page_is_not_public(event):
    event.campaign.site_public = False
    event.campaign.save()
    assert Client().get(event.public_path()).status_code == 404
    assert TrackedLink.objects.count() == 0


def test_the_donations_file_never_hands_a_spreadsheet_a_formula(campaign_a):
    donate = CallToAction.objects.create(
        campaign=campaign_a, kind=ActionKind.DONATION, title="=HYPERLINK(\"http://x\")",
        target_url="https://pay.example.org",
    )  # fmt: skip
    fundraising.import_payments(
        donate, b"id,date,amount,currency,reference\n@SUM(1+1),2026-11-30,5,EUR,\n"
    )
    line = fundraising.export_csv(campaign_a).splitlines()[1]
    assert ",'=HYPERLINK" in line.replace('"', "")
    assert line.endswith("'@SUM(1+1)")
