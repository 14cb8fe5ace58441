"""`houseboat keys rotate`: after it, the old key can go and every secret still opens."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection, models

from houseboat.connectors.models import Channel
from houseboat.core import crypto
from houseboat.safety.rotation import encrypted_fields

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def use_keys(monkeypatch):
    """Switch the keys houseboat reads, as an organiser editing the key file would."""

    def use(*keys: str) -> None:
        monkeypatch.setenv("HOUSEBOAT_ENCRYPTION_KEYS", "\n".join(keys))
        crypto.load_keys.cache_clear()

    yield use
    crypto.load_keys.cache_clear()


def rotate() -> str:
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    return out.getvalue()


def stored_tokens() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, secrets FROM connectors_channel ORDER BY id")
        return dict(cursor.fetchall())


def make_channels(team, count: int) -> list[Channel]:
    return [
        Channel.objects.create(
            team=team, network="telegram", name=f"T{n}", secrets={"bot_token": f"123:SECRET{n}"}
        )
        for n in range(count)
    ]


def test_after_rotation_the_old_key_can_be_removed(team_a, use_keys):
    use_keys(OLD)
    channels = make_channels(team_a, 3)
    use_keys(NEW, OLD)

    output = rotate()

    assert "connectors.Channel.secrets: 3 re-encrypted, 0 already under the first key." in output
    assert "older keys can be removed" in output
    use_keys(NEW)
    for n, channel in enumerate(channels):
        assert Channel.objects.get(pk=channel.pk).secrets == {"bot_token": f"123:SECRET{n}"}
    for token in stored_tokens().values():
        assert "SECRET" not in token


def test_running_it_twice_changes_nothing_the_second_time(team_a, use_keys):
    use_keys(OLD)
    make_channels(team_a, 2)
    use_keys(NEW, OLD)
    rotate()
    after_first = stored_tokens()

    output = rotate()

    assert "0 re-encrypted, 2 already under the first key" in output
    assert stored_tokens() == after_first


def test_a_database_with_no_secrets_is_fine(db, use_keys):
    use_keys(NEW, OLD)
    assert "Nothing to re-encrypt" in rotate()


def test_a_value_no_key_opens_is_named_and_the_rest_still_rotates(team_a, use_keys):
    use_keys(OLD)
    readable, lost = make_channels(team_a, 2)
    foreign = Fernet(STRANGER.encode()).encrypt(b'{"bot_token":"x"}').decode()
    Channel.objects.filter(pk=lost.pk).update(
        secrets=models.Value(foreign, output_field=models.TextField())
    )
    use_keys(NEW, OLD)

    with pytest.raises(CommandError, match=rf"connectors\.Channel\.secrets \(ids {lost.pk}\)"):
        rotate()

    use_keys(NEW)
    assert Channel.objects.get(pk=readable.pk).secrets == {"bot_token": "123:SECRET0"}
    assert stored_tokens()[lost.pk] == foreign


def test_with_one_key_it_explains_how_to_rotate(team_a, use_keys):
    use_keys(OLD)
    make_channels(team_a, 1)
    output = rotate()
    assert "only one key" in output
    assert "first line of the key file" in output


def test_a_secret_saved_during_rotation_is_not_overwritten(team_a, use_keys, monkeypatch):
    use_keys(OLD)
    (channel,) = make_channels(team_a, 1)
    use_keys(NEW, OLD)
    real_rotate = crypto.rotate

    def rotate_while_someone_saves(token: str) -> str:
        # The web server saves a fresh token between our read and our write.
        Channel.objects.filter(pk=channel.pk).update(secrets={"bot_token": "NEWER"})
        return real_rotate(token)

    monkeypatch.setattr(crypto, "rotate", rotate_while_someone_saves)
    output = rotate()

    assert "changed meanwhile" in output
    assert Channel.objects.get(pk=channel.pk).secrets == {"bot_token": "NEWER"}


def test_every_encrypted_field_in_the_project_is_found():
    labels = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    assert "connectors.Channel.secrets" in labels
