"""The demo campaign's archive: seeded through the real importers, searchable at once."""

import pytest
from django.test import Client
from django.urls import reverse

from houseboat import demo
from houseboat.campaigns.models import Campaign
from houseboat.core.models import User
from houseboat.listening import custody
from houseboat.listening.constants import CaptureKind, CaptureState
from houseboat.listening.models import Capture, Item
from houseboat.listening.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo.seed()
    return Campaign.objects.get(slug="free-the-riverside-ten")


def test_the_demo_archive_comes_through_four_importers(seeded):
    # Live reads (the inbox's replies and messages, the vigil's conversation in
    # listening/actions_demo.py) come on top of the four imports.
    imports = Capture.objects.filter(kind=CaptureKind.IMPORT)
    formats = dict(imports.values_list("format", "state"))
    assert formats == {
        "x-ndjson": CaptureState.DONE,
        "telegram-json": CaptureState.DONE,
        "facebook-dyi": CaptureState.DONE,
        "whatsapp-txt": CaptureState.DONE,
    }
    assert set(Item.objects.filter(capture__in=imports).values_list("network", flat=True)) == {
        "x",
        "telegram",
        "facebook",
        "whatsapp",
    }
    assert set(Item.objects.values_list("language", flat=True)) >= {"en", "ar", "es"}
    assert Capture.objects.filter(media_stored__gt=0).count() == 2
    assert custody.verify_chain() == []
    assert not Item.objects.filter(campaign__slug="open-the-harbour-files").exists()


def test_the_demo_archive_answers_searches_in_three_languages(seeded):
    assert search(seeded, "vigil OR vigilia").total >= 4
    assert search(seeded, "الصحفيين").total >= 1
    assert search(seeded, "periodistas").total >= 1
    assert search(seeded, hashtag="FreeRiverside10").total >= 10
    facebook = search(seeded, "gracias", network="facebook").items
    assert facebook[0].text.startswith("¡Gracias a todas las personas")


def test_the_demo_owner_finds_the_archive_in_the_ui(seeded):
    client = Client()
    client.force_login(User.objects.get(username=demo.OWNER))
    url = reverse("listening:archive", kwargs={"team_slug": demo.TEAM_SLUG})
    page = client.get(url, {"q": "Article 41"}).content.decode()
    assert "1 item" in page
    assert "Rights Desk" in page
