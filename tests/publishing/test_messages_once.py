"""Messages put together from a network's words, houseboat's and advice say each thing once."""

import httpx
import pytest
from django.utils import timezone

from houseboat.core.messages import promise_retry, unpromise_retry, without_repeats
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery

pytestmark = pytest.mark.django_db
LIST = "/t/team-a/publish/"


def refuse_connections(mastodon) -> None:
    mastodon.router.routes.clear()
    mastodon.router.post(f"{mastodon.base_url}/api/v1/statuses").mock(
        side_effect=httpx.ConnectError("connection refused")
    )


def test_a_delivery_to_be_retried_says_houseboat_will_try_again_once(
    publish, run, mastodon, mastodon_channel
):
    refuse_connections(mastodon)
    publish("Free the Ten!", mastodon_channel)
    run()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.SCHEDULED
    assert "could not be reached" in delivery.last_error
    assert delivery.last_error.lower().count("will try again") == 1


def test_a_delivery_given_up_does_not_promise_to_try_again(
    publish, run, mastodon, mastodon_channel, settings
):
    settings.HOUSEBOAT_DISPATCH_MAX_ATTEMPTS = 2
    refuse_connections(mastodon)
    publish("Free the Ten!", mastodon_channel)
    for _ in range(2):
        Delivery.objects.update(next_attempt_at=timezone.now())
        run()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("Gave up after 2 attempts:")
    assert "try again" not in delivery.last_error


def test_a_failed_line_says_the_networks_words_and_the_advice_once(
    as_bob, publish, run, mastodon, mastodon_channel
):
    mastodon.then(httpx.Response(401, json={"error": "The access token was revoked"}))
    publish("Free the Ten!", mastodon_channel)
    run()
    page = as_bob.get(LIST).content.decode().lower()
    assert "the access token was revoked" in page
    assert page.count("the network said") == 1
    assert page.count("reconnect the channel on the channels page") == 1


@pytest.mark.parametrize(
    ("message", "promised"),
    [
        ("X is down.", "X is down. houseboat will try again."),
        ("X is down; houseboat will try again.", "X is down; houseboat will try again."),
        (
            "X is down. Houseboat will try again later.",
            "X is down. Houseboat will try again later.",
        ),
        ("X is down", "X is down. houseboat will try again."),
    ],
)
def test_a_promise_to_try_again_is_added_once(message, promised):
    assert promise_retry(message) == promised
    assert promise_retry(promise_retry(message)) == promised


@pytest.mark.parametrize(
    ("message", "plain"),
    [
        (
            "X at x.com could not be reached. Check this computer's internet connection; "
            "houseboat will try again.",
            "X at x.com could not be reached. Check this computer's internet connection.",
        ),
        ("Nothing was posted; houseboat will try again later.", "Nothing was posted."),
        (
            "The channel stays connected and houseboat will try again.",
            "The channel stays connected.",
        ),
        (
            "Slow down. houseboat will try again after 12:00:00 UTC; waiting work goes out then.",
            "Slow down.",
        ),
        ("Refused (the network said: bad)", "Refused (the network said: bad)"),
    ],
)
def test_a_promise_to_try_again_is_taken_out_where_nothing_will_be_tried(message, plain):
    assert unpromise_retry(message) == plain


def test_advice_leaves_out_what_the_message_already_says():
    said = "The Mastodon token was revoked: reconnect the channel on the Channels page."
    advice = "Reconnect the channel on the Channels page, then write the post again."
    assert without_repeats(advice, said) == "Write the post again."
    assert without_repeats(advice, "Something else.") == advice
    assert without_repeats("Reconnect the channel on the Channels page.", said) == ""
