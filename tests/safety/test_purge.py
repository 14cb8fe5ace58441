"""Emergency purge: protected details and credentials are gone, even from the database file."""

import io
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from houseboat.safety.models import DoNotName, ProtectedDetail
from houseboat.safety.purge import emergency_purge
from tests.core.test_cli import houseboat

SEED = textwrap.dedent(
    """
    from houseboat.connectors.models import Channel
    from houseboat.core.models import Team
    from houseboat.safety.models import DoNotName, ProtectedDetail
    from django.db import connection
    team = Team.objects.create(name="Riverside", slug="riverside")
    ProtectedDetail.objects.create(team=team, kind="phone", secret={"label": "Amina", "value": "+20 100 555 0199"})
    DoNotName.objects.create(team=team, name="Nadia Haddad")
    Channel.objects.create(team=team, network="telegram", name="T", secrets={"bot_token": "123:TOKEN"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM safety_protecteddetail")
        print(cursor.fetchone()[0])
        cursor.execute("SELECT secrets FROM connectors_channel WHERE network = 'telegram'")
        print(cursor.fetchone()[0])
    """
)


def database_bytes(data_dir) -> bytes:
    return b"".join(
        path.read_bytes() for path in data_dir.glob("houseboat.sqlite3*") if path.is_file()
    )


def test_purged_details_and_credentials_are_gone_from_the_sqlite_file(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    seeded = houseboat("shell", "-c", SEED, data_dir=data)
    assert seeded.returncode == 0, seeded.stderr
    tokens = [line.encode() for line in seeded.stdout.split() if line.startswith("gAAAA")]
    assert len(tokens) == 2 and all(token in database_bytes(data) for token in tokens)

    purged = houseboat("purge", "--team", "riverside", "--yes-erase-for-good", data_dir=data)
    assert purged.returncode == 0, purged.stderr
    assert "Erased 1 protected details" in purged.stdout
    stored = database_bytes(data)
    for token in tokens:
        assert token not in stored


def test_a_purge_erases_only_the_teams_own_data_and_is_audited(team_a, team_b, alice):
    for team in (team_a, team_b):
        ProtectedDetail.objects.create(
            team=team, kind="phone", secret={"value": "+44 20 7946 0000"}
        )
        DoNotName.objects.create(team=team, name="Nadia")
        Channel.objects.create(team=team, network="x", name="X", secrets={"access_token": "t"})
    report = emergency_purge(team_a, actor=alice)
    assert (report.protected_details, report.do_not_name, report.channel_credentials) == (1, 1, 1)
    assert not ProtectedDetail.objects.filter(team=team_a).exists()
    assert Channel.objects.get(team=team_a, network="x").secrets == {}
    assert ProtectedDetail.objects.filter(team=team_b).count() == 1
    assert Channel.objects.get(team=team_b, network="x").secrets == {"access_token": "t"}
    assert AuditEvent.objects.filter(team=team_a, action=AuditAction.EMERGENCY_PURGE).exists()


def test_the_purge_command_asks_for_confirmation_without_a_terminal(team_a, monkeypatch):
    ProtectedDetail.objects.create(team=team_a, kind="phone", secret={"value": "1"})
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--yes-erase-for-good"):
        call_command("purge", "--team", "team-a")
    assert ProtectedDetail.objects.filter(team=team_a).exists()
