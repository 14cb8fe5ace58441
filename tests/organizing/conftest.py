"""Organising fixtures: supporters with and without consent, an event, tracked links."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from houseboat.connectors.models import Channel
from houseboat.organizing import services
from houseboat.organizing.constants import ActionKind, SupporterSource
from houseboat.organizing.models import CallToAction

WA_NUMBER_ID = "106540352242922"
WA_TOKEN = "EAAJB0sYsTemUserToken0123456789"
TG_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"


@pytest.fixture(autouse=True)
def fresh_limits():
    """The per-visitor limit lives in the process's memory: start each test without it."""
    cache.clear()
    yield
    cache.clear()


def add(team, name, handles=None, consents=(), **extra):
    return services.add_supporter(
        team,
        services.NewSupporter(name=name, handles=handles or {}, consents=list(consents), **extra),
        source=SupporterSource.MANUAL,
        consent_source="test",
        wording="You may write to me about the campaign.",
    )


@pytest.fixture
def event(campaign_a) -> CallToAction:
    return CallToAction.objects.create(
        campaign=campaign_a,
        kind=ActionKind.EVENT,
        title="Vigil at the courthouse",
        starts_at=timezone.now() + timedelta(days=3),
        place="Courthouse steps",
        capacity=50,
    )


@pytest.fixture
def petition(campaign_a) -> CallToAction:
    return CallToAction.objects.create(
        campaign=campaign_a, kind=ActionKind.PETITION, title="Free the ten", goal=1000
    )


@pytest.fixture
def x_channel(team_a) -> Channel:
    return Channel.objects.create(team=team_a, network="x", name="X main")


@pytest.fixture
def whatsapp_channel(team_a) -> Channel:
    return Channel.objects.create(
        team=team_a,
        network="whatsapp",
        name="WhatsApp",
        config={"phone_number_id": WA_NUMBER_ID},
        secrets={"access_token": WA_TOKEN, "verify_token": "v"},
    )


@pytest.fixture
def telegram_channel(team_a) -> Channel:
    return Channel.objects.create(
        team=team_a,
        network="telegram",
        name="Telegram bot",
        config={"chat_id": "@riversideten", "api_base_url": "https://api.telegram.org"},
        secrets={"bot_token": TG_TOKEN},
    )
