"""The filing step: what the team's accounts received lands in the inbox, once, threaded."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from houseboat.connectors.models import Channel
from houseboat.core import worker
from houseboat.inbox.constants import EntryKind, EntryState
from houseboat.inbox.filing import file_all, file_new_items, is_direct
from houseboat.inbox.handles import handle_key
from houseboat.inbox.models import InboxCheckpoint, InboxEntry
from houseboat.listening.models import Item
from houseboat.publishing.models import Delivery, Post, Variant
from tests.conftest import make_user
from tests.inbox.conftest import PAGE, item, telegram_update

pytestmark = pytest.mark.django_db


def entry_of(stored: Item) -> InboxEntry:
    return InboxEntry.objects.get(item=stored)


def test_a_reply_to_the_teams_sent_post_is_filed_with_the_post_it_answers(
    arrive, sent_post, accounts
):
    (reply,) = arrive(item("2001", "When does it start?", reply_to_id=sent_post.remote_id))

    entry = entry_of(reply)
    assert entry.kind == EntryKind.REPLY
    assert entry.answers_delivery == sent_post
    assert entry.channel == accounts["mastodon"]
    assert entry.state == EntryState.OPEN and entry.assignee is None


def test_a_reply_giving_the_sent_posts_address_instead_of_its_id_is_filed_too(arrive, sent_post):
    (reply,) = arrive(item("2002", reply_to_id=sent_post.remote_url))
    assert entry_of(reply).answers_delivery == sent_post


@pytest.mark.parametrize(
    ("mention", "url"),
    [
        ("FreeTheTen@Social.Example", ""),
        ("@freetheten@social.example", ""),
        ("freetheten", "https://social.example/@sam/2003"),  # bare: the post's own server
        ("https://social.example/@FreeTheTen", ""),
    ],
)
def test_a_mention_of_the_teams_handle_is_filed_whatever_its_case_and_form(
    arrive, accounts, mention, url
):
    author = "@sam@social.example" if url else "@sam@other.example"
    (mentioning,) = arrive(item("2003", mentions=[mention], url=url, author=author))

    entry = entry_of(mentioning)
    assert entry.kind == EntryKind.MENTION
    assert entry.channel == accounts["mastodon"]


def test_a_bare_mention_written_on_another_server_names_someone_else(arrive, accounts):
    (other,) = arrive(item("2004", mentions=["freetheten"], url="https://other.example/@sam/2004"))
    assert not InboxEntry.objects.filter(item=other).exists()


def test_a_bluesky_mention_is_compared_without_case(arrive, accounts):
    (mentioning,) = arrive(
        item(
            "at://did:plc:sam/app.bsky.feed.post/1",
            network="bluesky",
            author="sam.bsky.social",
            mentions=["FreeTheTen.BSKY.social"],
        )
    )
    assert entry_of(mentioning).channel == accounts["bluesky"]


def test_a_private_message_to_the_telegram_bot_is_a_direct_message(arrive, accounts):
    person = {"id": 555000111, "is_bot": False, "first_name": "Noor", "username": "noor_w"}
    chat = {"id": 555000111, "type": "private", "first_name": "Noor", "username": "noor_w"}
    (message,) = arrive(telegram_update(chat, 17, "Can I help at the vigil?", person))

    entry = entry_of(message)
    assert entry.kind == EntryKind.DIRECT
    assert entry.channel == accounts["telegram"]


def test_a_message_in_a_group_the_bot_reads_is_not_a_direct_message(arrive, accounts):
    person = {"id": 555000111, "is_bot": False, "first_name": "Noor"}
    group = {"id": -100777, "type": "supergroup", "title": "Riverside volunteers"}
    (message,) = arrive(telegram_update(group, 18, "See you on Friday", person))
    assert not InboxEntry.objects.filter(item=message).exists()


def test_a_mastodon_post_only_for_the_people_it_mentions_is_a_direct_message(arrive, accounts):
    (direct,) = arrive(
        item(
            "2005",
            "@freetheten my brother was taken too",
            mentions=["freetheten@social.example"],
            raw={"id": "2005", "visibility": "direct"},
        )
    )
    assert entry_of(direct).kind == EntryKind.DIRECT


def test_a_comment_on_the_teams_facebook_page_is_filed_as_a_comment(arrive, accounts):
    (comment,) = arrive(
        item(
            "9876543220_1001",
            "Solidarity from Lagos",
            network="facebook",
            author="Ada",
            reply_to_id=f"{PAGE}_9876543220",
        )
    )
    entry = entry_of(comment)
    assert entry.kind == EntryKind.COMMENT
    assert entry.channel == accounts["facebook"]


def test_a_reply_to_a_post_of_the_teams_account_in_the_archive_is_threaded_under_it(
    arrive, accounts
):
    ours, reply = arrive(
        item("3001", "Day 60", author="@freetheten@social.example"),
        item("3002", "Shared with my union", reply_to_id="3001"),
    )
    assert not InboxEntry.objects.filter(item=ours).exists()  # the team's own post
    entry = entry_of(reply)
    assert entry.kind == EntryKind.REPLY
    assert entry.answers_item == ours


def test_the_conversation_under_a_filed_reply_is_filed_and_threaded(arrive, sent_post):
    first, second = arrive(
        item("4001", "Where?", reply_to_id=sent_post.remote_id),
        item("4002", "At the ministry", author="@ana@else.example", reply_to_id="4001"),
    )
    later = entry_of(second)
    assert later.kind == EntryKind.REPLY
    assert later.answers_item == first


def test_unrelated_posts_reposts_and_the_teams_own_posts_are_not_filed(arrive, sent_post):
    stored = arrive(
        item("5001", "Nothing to do with us", mentions=["someone@else.example"]),
        item("5002", "boost", repost_of_id=sent_post.remote_id, reply_to_id=sent_post.remote_id),
        item("5003", "our own thread", author="@FreeTheTen@social.example", reply_to_id="1"),
    )
    assert len(stored) == 3
    assert InboxEntry.objects.count() == 0


def test_each_item_is_filed_exactly_once_across_reruns_and_a_lost_checkpoint(
    arrive, campaign_a, sent_post, monkeypatch
):
    arrive(
        item("6001", reply_to_id=sent_post.remote_id),
        item("6002", mentions=["freetheten@social.example"]),
    )
    assert InboxEntry.objects.count() == 2

    assert file_all(campaign_a) == 0  # nothing new past the checkpoint
    InboxCheckpoint.objects.filter(campaign=campaign_a).update(item_id=0)  # as after a crash
    assert file_all(campaign_a) > 0  # read again...
    assert InboxEntry.objects.count() == 2  # ...and still one entry per item

    arrive(item("6003", mentions=["FREETHETEN@social.example"]), file=False)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    worker.run_round([file_new_items], "test-worker")  # the reading lane's step
    worker.run_round([file_new_items], "test-worker")
    assert InboxEntry.objects.count() == 3


def test_the_filing_step_runs_in_the_reading_lane():
    assert "houseboat.inbox.filing.file_new_items" in worker.configured_lanes()["reading"]


def test_an_item_already_weeks_old_when_filed_is_filed_as_done(arrive, accounts):
    (old,) = arrive(item("7001", mentions=["freetheten@social.example"], hours_ago=24 * 60))
    entry = entry_of(old)
    assert entry.state == EntryState.DONE
    assert entry.received_at < timezone.now() - timedelta(days=59)


def test_raw_payloads_that_are_not_direct_messages_say_so():
    assert not is_direct("telegram", {"channel_post": {"chat": {"type": "private"}}})
    assert not is_direct("mastodon", {"visibility": "public"})
    assert not is_direct("x", {"visibility": "direct"})
    assert not is_direct("telegram", ["not", "a", "mapping"])


handles = st.from_regex(r"[A-Za-z0-9_]{1,20}", fullmatch=True)
servers = st.from_regex(r"[a-z0-9]{1,10}\.[a-z]{2,6}", fullmatch=True)


@given(handles, servers)
def test_a_mastodon_handle_is_the_same_with_or_without_at_case_or_its_server(name, server):
    full = handle_key("mastodon", f"@{name}@{server}")
    assert full == f"{name.casefold()}@{server}"
    assert handle_key("mastodon", f"{name.upper()}@{server.upper()}") == full
    assert handle_key("mastodon", name, instance=server) == full
    assert handle_key("mastodon", f"https://{server}/@{name}") == full


@given(st.sampled_from(["mastodon", "bluesky", "x", "telegram", "facebook"]), st.text())
def test_any_text_gives_a_handle_or_nothing_never_an_error(network, text):
    key = handle_key(network, text, instance="social.example")
    assert key == "" or (not any(char.isspace() for char in key) and not key.startswith("@"))


def test_another_teams_accounts_and_posts_file_nothing_in_this_teams_inbox(
    arrive, team_b, campaign_a
):
    theirs = Channel.objects.create(
        team=team_b, network="mastodon", name="B", account_handle="@freetheten@social.example"
    )
    owner = team_b.memberships.first() or None

    post = Post.objects.create(
        team=team_b, author=owner.user if owner else make_user("m2"), text="B"
    )
    Delivery.objects.create(
        variant=Variant.objects.create(post=post, channel=theirs),
        text="B",
        due_at=timezone.now(),
        state="sent",
        remote_id="7777",
    )
    arrive(
        item("9001", reply_to_id="7777"),
        item("9002", mentions=["freetheten@social.example"]),
    )
    assert InboxEntry.objects.count() == 0
