"""The inbox page and its actions: who may do what, the reply through the dispatcher,
alerts and the graphic shield in place, and nothing of another team."""

import pytest
from django.urls import reverse

from houseboat.connectors.base import RemoteMedia
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.inbox.constants import EntryState
from houseboat.inbox.models import InboxEntry
from houseboat.listening.alerting import check_all
from houseboat.listening.records import Captured
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post
from houseboat.safety.graphic import mark_graphic
from houseboat.safety.models import Alert
from tests.inbox.conftest import item, telegram_update

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def reply_entry(arrive, sent_post) -> InboxEntry:
    (stored,) = arrive(item("2001", "When does the vigil start?", reply_to_id=sent_post.remote_id))
    return InboxEntry.objects.get(item=stored)


def page_url(campaign) -> str:
    return reverse("inbox:inbox", kwargs={"team_slug": "team-a", "slug": campaign.slug})


def action(entry: InboxEntry, name: str) -> str:
    return reverse(f"inbox:{name}", kwargs={"team_slug": "team-a", "pk": entry.pk})


def test_the_page_lists_the_entry_with_the_post_it_answers(as_alice, reply_entry, campaign_a):
    response = as_alice.get(page_url(campaign_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "When does the vigil start?" in body
    assert "In reply to the team's post" in body
    assert "Vigil on Friday at the ministry" in body


def test_the_team_inbox_address_shows_a_campaign_inbox(as_alice, reply_entry):
    response = as_alice.get(reverse("inbox:inbox", kwargs={"team_slug": "team-a"}))
    assert response.status_code == 200
    assert "When does the vigil start?" in response.content.decode()


def test_an_editor_assigns_tags_and_closes_an_entry_and_the_audit_log_says_who(
    as_bob, bob, charlie, reply_entry, campaign_a
):
    here = page_url(campaign_a)
    response = as_bob.post(action(reply_entry, "assign"), {"assignee": charlie.pk, "next": here})
    assert response.status_code == 302 and response.url == f"{here}#entry-{reply_entry.pk}"
    as_bob.post(action(reply_entry, "tags"), {"tags": "Press, legal, press"})
    as_bob.post(action(reply_entry, "state"), {"state": "done"})

    reply_entry.refresh_from_db()
    assert reply_entry.assignee == charlie
    assert sorted(reply_entry.tags.values_list("tag", flat=True)) == ["legal", "press"]
    assert reply_entry.state == EntryState.DONE and reply_entry.done_by == bob
    done = AuditEvent.objects.filter(actor=bob, team=reply_entry.team, action__startswith="inbox")
    assert set(done.values_list("action", flat=True)) == {
        AuditAction.INBOX_ASSIGNED,
        AuditAction.INBOX_TAGGED,
        AuditAction.INBOX_DONE,
    }
    assert done.get(action=AuditAction.INBOX_ASSIGNED).detail == "to charlie"

    as_bob.post(action(reply_entry, "state"), {"state": "open"})
    reply_entry.refresh_from_db()
    assert reply_entry.state == EntryState.OPEN and reply_entry.done_by is None


def test_the_filters_show_mine_unassigned_done_network_and_tag(
    as_bob, bob, arrive, reply_entry, campaign_a, accounts
):
    person = {"id": 555000111, "is_bot": False, "first_name": "Noor"}
    chat = {"id": 555000111, "type": "private", "first_name": "Noor"}
    (dm,) = arrive(telegram_update(chat, 17, "A private question", person))
    dm_entry = InboxEntry.objects.get(item=dm)
    as_bob.post(action(reply_entry, "assign"), {"assignee": bob.pk})
    as_bob.post(action(dm_entry, "tags"), {"tags": "volunteers"})

    def shown(**query) -> str:
        return as_bob.get(page_url(campaign_a), query).content.decode()

    assert "When does the vigil" in shown(show="mine")
    assert "A private question" not in shown(show="mine")
    assert "A private question" in shown(show="unassigned")
    assert "When does the vigil" not in shown(show="unassigned")
    assert "A private question" in shown(network="telegram")
    assert "When does the vigil" not in shown(network="telegram")
    assert "A private question" in shown(tag="volunteers")
    assert "When does the vigil" not in shown(tag="volunteers")
    as_bob.post(action(dm_entry, "state"), {"state": "done"})
    assert "A private question" not in shown()
    assert "A private question" in shown(show="done")


def test_one_cannot_give_an_entry_to_someone_outside_the_team(as_bob, mallory, reply_entry):
    as_bob.post(action(reply_entry, "assign"), {"assignee": mallory.pk})
    reply_entry.refresh_from_db()
    assert reply_entry.assignee is None


def test_a_bad_tag_is_refused_with_a_reason_and_the_old_tags_stay(as_bob, reply_entry):
    as_bob.post(action(reply_entry, "tags"), {"tags": "press"})
    response = as_bob.post(action(reply_entry, "tags"), {"tags": "<script>"}, follow=True)
    assert "cannot be a tag" in response.content.decode()
    assert list(reply_entry.tags.values_list("tag", flat=True)) == ["press"]


def test_an_editors_reply_goes_out_through_the_dispatcher_under_the_item_it_answers(
    as_bob, reply_entry, run, mastodon, accounts, campaign_a
):
    response = as_bob.post(
        action(reply_entry, "reply"), {"text": "Friday, 6 pm, at the ministry steps."}
    )
    assert response.status_code == 302

    post = Post.objects.get(text="Friday, 6 pm, at the ministry steps.")
    assert post.status == PostStatus.SCHEDULED
    (variant,) = post.variants.all()  # the Mastodon channel only: no copy on the own site
    assert variant.channel == accounts["mastodon"]
    reply_entry.refresh_from_db()
    assert reply_entry.reply_post == post
    assert "Reply queued" in as_bob.get(page_url(campaign_a)).content.decode()

    run()

    sent = Delivery.objects.get(variant=variant)
    assert sent.state == DeliveryState.SENT
    assert mastodon.posts[-1]["in_reply_to_id"] == "2001"  # the item's id on Mastodon
    assert "Reply sent" in as_bob.get(page_url(campaign_a)).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.INBOX_REPLIED).count() == 1


def test_a_reply_to_a_telegram_direct_message_answers_that_message(
    as_bob, arrive, accounts, run, telegram
):
    person = {"id": 555000111, "is_bot": False, "first_name": "Noor"}
    chat = {"id": 555000111, "type": "private", "first_name": "Noor"}
    (dm,) = arrive(telegram_update(chat, 17, "Can I help?", person))
    entry = InboxEntry.objects.get(item=dm)

    as_bob.post(action(entry, "reply"), {"text": "Yes, thank you: come on Friday."})
    variant = Post.objects.get(text__startswith="Yes, thank you").variants.get()
    assert variant.channel == accounts["telegram"]
    assert variant.options["reply_to"]["extra"] == {"chat_id": "555000111"}

    run()
    assert telegram.posts[-1]["reply_to"] == "17"


def test_a_contributors_reply_waits_for_an_editors_approval(as_charlie, reply_entry, run, mastodon):
    as_charlie.post(action(reply_entry, "reply"), {"text": "Thanks, details soon."})
    post = Post.objects.get(text="Thanks, details soon.")
    assert post.status == PostStatus.PENDING_APPROVAL
    assert not Delivery.objects.filter(variant__post=post).exists()
    before = mastodon.publish_calls
    run()
    assert mastodon.publish_calls == before


def test_an_empty_or_too_long_reply_is_refused_and_nothing_is_kept(as_bob, reply_entry):
    as_bob.post(action(reply_entry, "reply"), {"text": "   "})
    response = as_bob.post(action(reply_entry, "reply"), {"text": "x" * 600}, follow=True)
    assert "The reply was not sent" in response.content.decode()
    assert not Post.objects.exclude(text="Vigil on Friday at the ministry").exists()
    reply_entry.refresh_from_db()
    assert reply_entry.reply_post is None


def test_a_viewer_reads_the_inbox_but_changes_nothing(as_victor, reply_entry, campaign_a):
    body = as_victor.get(page_url(campaign_a)).content.decode()
    assert "When does the vigil start?" in body
    assert "Send reply" not in body
    for name, data in [
        ("assign", {"assignee": ""}),
        ("tags", {"tags": "x"}),
        ("state", {"state": "done"}),
        ("reply", {"text": "hi"}),
    ]:
        assert as_victor.post(action(reply_entry, name), data).status_code == 403
    reply_entry.refresh_from_db()
    assert reply_entry.state == EntryState.OPEN and not reply_entry.tags.exists()


def test_an_outsider_gets_404_and_never_sees_team_as_inbox(as_mallory, reply_entry, campaign_a):
    assert as_mallory.get(page_url(campaign_a)).status_code == 404
    for name in ("assign", "tags", "state", "reply"):
        response = as_mallory.post(action(reply_entry, name), {"text": "hi", "state": "done"})
        assert response.status_code == 404
    reply_entry.refresh_from_db()
    assert reply_entry.state == EntryState.OPEN
    # On their own team's address, the entry of team A is not found either.
    assert (
        as_mallory.post(
            reverse("inbox:state", kwargs={"team_slug": "team-b", "pk": reply_entry.pk}),
            {"state": "done"},
        ).status_code
        == 404
    )


def test_posting_without_the_csrf_token_is_refused(bob, reply_entry):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post(action(reply_entry, "state"), {"state": "done"}).status_code == 403
    reply_entry.refresh_from_db()
    assert reply_entry.state == EntryState.OPEN


def test_a_threat_shows_its_alert_badge_in_place(as_bob, arrive, sent_post, campaign_a):
    arrive(
        item("2009", "We know where you live. Watch your back.", reply_to_id=sent_post.remote_id)
    )
    check_all(campaign_a)
    assert Alert.objects.filter(remote_id="2009").exists()
    body = as_bob.get(page_url(campaign_a)).content.decode()
    assert "has-alert" in body
    assert "threat alert" in body.lower()


def test_graphic_media_are_shielded_as_in_the_archive(
    as_bob, campaign_a, sent_post, tmp_path, team_a
):
    from houseboat.inbox.filing import file_all
    from houseboat.listening.imports import capture_live

    picture = tmp_path / "wound.png"
    picture.write_bytes(PNG)
    remote = item(
        "2010",
        "Look what they did",
        reply_to_id=sent_post.remote_id,
        media=[RemoteMedia(url="https://social.example/m/1.png", kind="image")],
    )
    capture_live(
        campaign=campaign_a,
        items=[
            Captured(
                remote, media_files={"https://social.example/m/1.png": lambda: picture.open("rb")}
            )
        ],
        network="mastodon",
        source="t",
    )
    file_all(campaign_a)
    entry = InboxEntry.objects.get(item__remote_id="2010")
    sha256 = entry.item.media.get().blob_id
    assert sha256

    before = as_bob.get(page_url(campaign_a)).content.decode()
    assert "graphic shielded" not in before
    mark_graphic(team_a, sha256, by=None, reason="injuries")
    after = as_bob.get(page_url(campaign_a)).content.decode()
    assert 'class="graphic shielded"' in after
    assert "injuries" in after


def test_the_navigation_counts_open_entries_given_to_me_or_to_nobody(
    as_bob, as_charlie, charlie, reply_entry, campaign_a
):
    from houseboat.core import hooks
    from houseboat.core.models import Membership

    def count(user) -> int:
        return hooks.tally(Membership.objects.get(user=user)).get("inbox", 0)

    bob = reply_entry.team.memberships.get(user__username="bob").user
    assert count(bob) == 1 and count(charlie) == 1  # nobody's: for everyone
    as_bob.post(action(reply_entry, "assign"), {"assignee": charlie.pk})
    assert count(bob) == 0 and count(charlie) == 1
    body = as_charlie.get(page_url(campaign_a)).content.decode()
    assert 'class="nav-count"' in body and "inbox message waits for you" in body
    as_charlie.post(action(reply_entry, "state"), {"state": "done"})
    assert count(charlie) == 0


def test_a_viewer_has_no_inbox_count(victor, reply_entry):
    from houseboat.core import hooks
    from houseboat.core.models import Membership

    assert "inbox" not in hooks.tally(Membership.objects.get(user=victor))


def test_the_page_takes_as_many_queries_for_many_entries_as_for_few(
    as_bob, arrive, sent_post, campaign_a, accounts
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_bob.get(page_url(campaign_a)).status_code == 200
        return len(captured)

    arrive(item("8001", reply_to_id=sent_post.remote_id))
    few = queries()
    arrive(
        *[item(f"81{n:02}", reply_to_id="8001", author=f"@p{n}@else.example") for n in range(12)]
    )
    as_bob.post(action(InboxEntry.objects.first(), "tags"), {"tags": "press"})
    as_bob.post(action(InboxEntry.objects.last(), "state"), {"state": "done"})
    assert InboxEntry.objects.count() == 13
    assert queries() == few


def test_an_address_a_network_gave_back_is_linked_only_when_it_is_a_web_address(
    as_bob, reply_entry, sent_post, campaign_a
):
    Delivery.objects.filter(pk=sent_post.pk).update(remote_url="javascript:alert(1)")
    body = as_bob.get(page_url(campaign_a)).content.decode()
    assert "Vigil on Friday at the ministry" in body
    assert "javascript:" not in body


def test_a_reply_is_never_sent_twice_when_the_worker_dies_after_the_network_answered(
    as_bob, reply_entry, run, mastodon, monkeypatch
):
    from houseboat.publishing import dispatch
    from tests.publishing.conftest import crash_once, expire_leases

    as_bob.post(action(reply_entry, "reply"), {"text": "Friday, 6 pm."})
    before = len(mastodon.posts)
    monkeypatch.setattr(dispatch, "record_sent", crash_once(dispatch.record_sent))

    run("worker-1")  # Mastodon posts the reply; the worker dies before writing that down
    expire_leases()
    run("worker-2")  # looks at the account's posts first: the reply is there

    assert len(mastodon.posts) == before + 1
    sent = Delivery.objects.get(variant__post__text="Friday, 6 pm.")
    assert sent.state == DeliveryState.SENT
    assert mastodon.posts[-1]["in_reply_to_id"] == "2001"


def test_after_a_lost_request_the_same_words_under_another_item_are_not_taken_for_the_reply(
    as_bob, arrive, sent_post, run, mastodon
):
    from tests.publishing.conftest import come_back

    first, second = (
        InboxEntry.objects.get(item=stored)
        for stored in arrive(
            item("2101", "Thanks!", reply_to_id=sent_post.remote_id),
            item("2102", "Me too!", author="@ana@else.example", reply_to_id=sent_post.remote_id),
        )
    )
    as_bob.post(action(first, "reply"), {"text": "Thank you!"})
    run()
    as_bob.post(action(second, "reply"), {"text": "Thank you!"})
    mastodon.then("lost")  # the request never reached Mastodon: the outcome is in doubt

    run()
    come_back()
    run()  # looks at the account's posts: "Thank you!" is there, but under 2101

    replies = [post for post in mastodon.posts if post["text"] == "Thank you!"]
    assert [post["in_reply_to_id"] for post in replies] == ["2101", "2102"]
    second.refresh_from_db()
    sent = Delivery.objects.get(variant__post=second.reply_post)
    assert sent.state == DeliveryState.SENT and sent.remote_id == replies[1]["id"]
