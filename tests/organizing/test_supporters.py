"""Supporters: pseudonymous, personal fields encrypted at rest, never a map position."""

import pytest
from django.db import connection
from django.urls import reverse

from houseboat.organizing import services
from houseboat.organizing.models import Consent, Supporter

from .conftest import add


def raw_row(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM organizing_supporter WHERE id = %s", [pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_name_handles_and_notes_are_unreadable_in_the_database(team_a):
    supporter = add(
        team_a,
        "Amal Haddad",
        {"whatsapp": "+44 7700 900123", "email": "amal@example.org"},
        ["whatsapp"],
        notes="met at the vigil",
    )
    row = raw_row(supporter.pk)
    for secret in ("Amal", "447700900123", "amal@example.org", "vigil"):
        assert secret not in row
    fresh = Supporter.objects.get(pk=supporter.pk)
    assert fresh.name == "Amal Haddad"
    assert fresh.handles == {"whatsapp": "+447700900123", "email": "amal@example.org"}


def test_a_supporter_is_found_by_name_and_handle_through_digests(team_a, team_b):
    supporter = add(team_a, "Amal", {"x": "@amal_h"})
    assert list(services.find_by_name(team_a, "  AMAL ")) == [supporter]
    assert services.find_by_handle(team_a, "x", "@amal_h") == supporter
    assert services.find_by_handle(team_b, "x", "@amal_h") is None


@pytest.mark.parametrize(
    "area",
    [
        "51.5072, -0.1276",
        "geo:37.786971,-122.399677",
        "9C3XGV4C+FH",
        "40\u00b0 26\u2032 46\u2033 N",
        "https://maps.google.com/?q=1,2",
        "https://www.openstreetmap.org/#map=17/51.5/-0.12",
    ],
)
def test_an_area_that_looks_like_a_map_position_is_refused(team_a, area):
    with pytest.raises(services.SupporterError, match="map position"):
        add(team_a, "Sam", area=area)
    assert not Supporter.objects.exists()


def test_an_area_in_words_is_kept(team_a):
    assert add(team_a, "Sam", area="Riverside, north bank").area == "Riverside, north bank"


def test_consent_needs_a_handle_on_that_channel(team_a):
    with pytest.raises(services.SupporterError, match="needs a whatsapp handle"):
        add(team_a, "Sam", {"x": "@sam"}, ["whatsapp"])


def test_the_same_handle_twice_is_refused(team_a):
    add(team_a, "Sam", {"email": "sam@example.org"})
    with pytest.raises(services.SupporterError, match="Already a supporter"):
        add(team_a, "Samuel", {"email": "SAM@example.org "})


def test_bob_adds_a_supporter_with_consent_on_the_web(as_bob, team_a):
    response = as_bob.post(
        reverse("organizing:supporter_add", args=[team_a.slug]),
        {
            "name": "Noor",
            "handles": "whatsapp:+44 7700 900456\ntelegram:700100200",
            "consent": ["whatsapp", "telegram"],
            "wording": "Yes, tell me about the vigils on WhatsApp and Telegram.",
            "area": "Old town",
            "tags": "vigil; students",
        },
    )
    assert response.status_code == 302
    supporter = Supporter.objects.get()
    assert supporter.tags == ["vigil", "students"]
    assert services.active_consents(supporter) == {"whatsapp", "telegram"}
    consent = Consent.objects.get(channel="whatsapp")
    assert consent.wording == "Yes, tell me about the vigils on WhatsApp and Telegram."
    assert "bob" in consent.source
    page = as_bob.get(response.url)
    assert "Noor" in page.content.decode()


def test_a_contributor_cannot_see_supporters(as_charlie, team_a):
    add(team_a, "Noor")
    response = as_charlie.get(reverse("organizing:supporters", args=[team_a.slug]))
    assert response.status_code == 403


def test_an_outsider_gets_404_on_a_supporter(as_mallory, team_a):
    supporter = add(team_a, "Noor")
    response = as_mallory.get(reverse("organizing:supporter", args=[team_a.slug, supporter.pk]))
    assert response.status_code == 404


def test_a_name_with_markup_is_shown_as_text(as_alice, team_a):
    add(team_a, '<script>alert("x")</script>')
    page = as_alice.get(reverse("organizing:supporters", args=[team_a.slug])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_unsubscribe_withdraws_every_consent(team_a):
    supporter = add(
        team_a,
        "Noor",
        {"whatsapp": "+447700900456", "email": "n@example.org"},
        ["whatsapp", "email"],
    )
    services.unsubscribe(supporter)
    assert services.active_consents(Supporter.objects.get(pk=supporter.pk)) == set()
    assert Consent.objects.filter(withdrawn_at__isnull=True).count() == 0


def test_networks_are_understood_by_their_everyday_names(team_a):
    supporter = add(team_a, "Ivo", {"twitter": "@ivo", "e-mail": "ivo@example.org"})
    assert supporter.handles == {"x": "@ivo", "email": "ivo@example.org"}


def test_consent_given_later_is_recorded_with_its_handle_source_and_words(as_bob, team_a):
    supporter = add(team_a, "Noor")  # from the archive: no handle, no consent
    url = reverse("organizing:supporter_consent", args=[team_a.slug, supporter.pk])
    refused = as_bob.post(url, {"channel": "telegram", "source": "at the stall", "wording": "Yes"})
    assert refused.status_code == 400
    assert "Give their telegram handle" in refused.content.decode()
    done = as_bob.post(
        url,
        {
            "channel": "telegram",
            "handle": "700100200",
            "source": "said yes at the vigil stall",
            "wording": "You may message me on Telegram about the vigils.",
        },
    )
    assert done.status_code == 302
    supporter = Supporter.objects.get(pk=supporter.pk)
    assert services.active_consents(supporter) == {"telegram"}
    assert services.find_by_handle(team_a, "telegram", "700100200") == supporter
    consent = Consent.objects.get()
    assert consent.source == "said yes at the vigil stall (recorded by bob)"


def test_no_consent_is_recorded_for_someone_who_unsubscribed(team_a):
    supporter = add(team_a, "Noor", {"email": "n@example.org"}, ["email"])
    services.unsubscribe(supporter)
    with pytest.raises(services.SupporterError, match="no more messages"):
        services.record_consent(
            Supporter.objects.get(pk=supporter.pk), "email", handle="", source="x", wording="y"
        )


def test_an_archive_author_is_added_without_consent_and_the_teams_own_account_is_not_offered(
    as_bob, team_a, campaign_a
):
    from houseboat.connectors.models import Channel
    from houseboat.listening.models import Author, AuthorCount

    own = Author.objects.create(network="x", remote_id="1", handle="freetheten", display_name="Us")
    lina = Author.objects.create(network="x", remote_id="2", handle="lina_h", display_name="Lina")
    for author in (own, lina):
        AuthorCount.objects.create(campaign=campaign_a, author=author, posts=3)
    Channel.objects.create(team=team_a, network="x", name="X", account_handle="@FreeTheTen")
    url = reverse("organizing:authors", args=[team_a.slug])
    page = as_bob.get(url).content.decode()
    assert "lina_h" in page and "freetheten" not in page
    assert "not consent to be contacted" in page
    added = as_bob.post(f"{url}?campaign={campaign_a.pk}", {"author": lina.pk}, follow=True)
    supporter = Supporter.objects.get()
    assert supporter.handles == {"x": "lina_h"}
    assert services.active_consents(supporter) == set()
    assert "record consent" in added.content.decode()
    assert "Already a supporter" in as_bob.get(url).content.decode()
