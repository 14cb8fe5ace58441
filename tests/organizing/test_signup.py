"""The public sign-up form: double opt-in, a honeypot and limits against spam, no tracking."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from houseboat.organizing import public, services
from houseboat.organizing.models import Consent, PendingConfirmation, Supporter

from .conftest import add


def signup_url(campaign) -> str:
    return reverse("act:signup", args=[campaign.slug])


def test_an_email_sign_up_is_contacted_only_after_the_link_is_followed(campaign_a):
    visitor = Client()
    page = visitor.get(signup_url(campaign_a)).content.decode()
    addresses = re.findall(r'(?:src|href|action)="([^"]*)"', page)
    assert addresses and all(a.startswith(("/", "data:")) for a in addresses), addresses
    visitor.post(
        signup_url(campaign_a),
        {"name": "Amal", "email": "amal@example.org", "consent": ["email"], "area": "Old town"},
    )
    supporter = Supporter.objects.get()
    assert services.active_consents(supporter) == set()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/confirm/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    assert "Confirm your sign-up" in visitor.get(path).content.decode()
    assert services.active_consents(Supporter.objects.get()) == set()  # GET changes nothing
    visitor.post(path)
    assert services.active_consents(Supporter.objects.get()) == {"email"}
    assert not PendingConfirmation.objects.exists()
    assert visitor.post(path).status_code == 404  # a link works once
    consent = Consent.objects.get()
    assert campaign_a.name in consent.wording
    assert "sign-up form" in consent.source


def test_a_whatsapp_opt_in_on_the_form_counts_at_once(campaign_a):
    Client().post(
        signup_url(campaign_a),
        {"name": "Noor", "whatsapp": "+44 7700 900123", "consent": ["whatsapp"]},
    )
    assert services.active_consents(Supporter.objects.get()) == {"whatsapp"}


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_kept(campaign_a):
    response = Client().post(
        signup_url(campaign_a),
        {"name": "Buy pills", "email": "spam@example.org", "consent": ["email"], "website": "x"},
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not Supporter.objects.exists()
    assert not mail.outbox


def test_one_visitor_is_limited_and_told_to_wait(campaign_a):
    visitor = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(public.PER_VISITOR):
        visitor.post(
            signup_url(campaign_a),
            {"name": f"p{i}", "whatsapp": f"+4477009001{i:02}", "consent": ["whatsapp"]},
        )
    refused = visitor.post(
        signup_url(campaign_a),
        {"name": "one more", "whatsapp": "+447700900199", "consent": ["whatsapp"]},
    )
    assert refused.status_code == 429
    assert Supporter.objects.count() == public.PER_VISITOR
    other = Client(REMOTE_ADDR="203.0.113.6")
    assert (
        other.post(
            signup_url(campaign_a),
            {"name": "x", "whatsapp": "+447700900198", "consent": ["whatsapp"]},
        ).status_code
        == 200
    )


def test_a_campaign_wide_limit_holds_off_a_flood_from_many_addresses(campaign_a, monkeypatch):
    monkeypatch.setattr(public, "PER_CAMPAIGN", 3)
    codes = [
        Client(REMOTE_ADDR=f"198.51.100.{i}")
        .post(
            signup_url(campaign_a),
            {"name": f"p{i}", "whatsapp": f"+4477009002{i:02}", "consent": ["whatsapp"]},
        )
        .status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert Supporter.objects.count() == 3


def test_markup_and_formulas_in_a_sign_up_stay_text(campaign_a, as_alice):
    Client().post(
        signup_url(campaign_a),
        {
            "name": '<img src=x onerror=alert(1)>=HYPERLINK("x")',
            "whatsapp": "+447700900123",
            "consent": ["whatsapp"],
        },
    )
    supporter = Supporter.objects.get()
    assert supporter.name.startswith("<img")
    page = as_alice.get(reverse("organizing:supporter", args=[campaign_a.team.slug, supporter.pk]))
    assert "<img src=x" not in page.content.decode()
    assert "&lt;img src=x" in page.content.decode()


def test_a_sign_up_with_a_map_position_is_refused_and_nothing_kept(campaign_a):
    response = Client().post(
        signup_url(campaign_a),
        {
            "name": "Amal",
            "whatsapp": "+447700900123",
            "consent": ["whatsapp"],
            "area": "48.8584, 2.2945",
        },
    )
    assert response.status_code == 400
    assert "map position" in response.content.decode()
    assert not Supporter.objects.exists()


def test_signing_up_again_says_the_same_and_reveals_nobody(campaign_a):
    add(campaign_a.team, "Amal", {"whatsapp": "+447700900123"}, ["whatsapp"])
    response = Client().post(
        signup_url(campaign_a),
        {"name": "Someone", "whatsapp": "+447700900123", "consent": ["whatsapp"]},
    )
    assert response.status_code == 200
    assert "Thank you for signing up" in response.content.decode()
    assert Supporter.objects.count() == 1


def test_a_sign_up_needs_a_channel_ticked(campaign_a):
    response = Client().post(signup_url(campaign_a), {"name": "Amal", "email": "a@example.org"})
    assert response.status_code == 400
    assert not Supporter.objects.exists()


def test_pages_of_a_private_campaign_do_not_exist(campaign_a):
    campaign_a.site_public = False
    campaign_a.save()
    assert Client().get(signup_url(campaign_a)).status_code == 404
