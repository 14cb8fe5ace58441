"""Emergency purge: protected details and credentials are gone, even from the database file."""

import io
import json
import sqlite3
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, Invitation
from houseboat.safety.alerts import raise_alerts
from houseboat.safety.models import Alert, DoNotName, ProtectedDetail
from houseboat.safety.purge import emergency_purge
from tests.core.test_cli import houseboat
from tests.safety.test_alerts import Record

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


# --- nothing the purge erases stays behind elsewhere ------------------------------------

LABEL, NOTE = "Amina phone", "Rahel at the women's shelter"

# Alerts and audit events as an earlier houseboat wrote them: with the protected detail's
# label and the invitation's note in plain text.
SEED_EVERYWHERE = (
    textwrap.dedent(
        """
    from houseboat.campaigns.models import Campaign
    from houseboat.connectors.models import Channel
    from houseboat.core.constants import AuditAction, Role
    from houseboat.core.models import AuditEvent, Invitation, Team, User
    from houseboat.safety.models import Alert, DoNotName, ProtectedDetail
    from django.db import connection
    team = Team.objects.create(name="Riverside", slug="riverside")
    campaign = Campaign.objects.create(team=team, name="Ten", slug="ten")
    ProtectedDetail.objects.create(
        team=team, kind="phone", secret={"label": "@LABEL@", "value": "+20 100 555 0199"}
    )
    DoNotName.objects.create(team=team, name="Nadia Haddad")
    Channel.objects.create(team=team, network="telegram", name="T", secrets={"bot_token": "1:T"})
    alice = User.objects.create_user("alice", password="a long passphrase")
    invitation, _ = Invitation.issue(team=team, role=Role.EDITOR, note="@NOTE@", invited_by=alice)
    AuditEvent.objects.create(team=team, action=AuditAction.MEMBER_INVITED, target="@NOTE@")
    AuditEvent.objects.create(team=team, action=AuditAction.INVITATION_REVOKED, target="@NOTE@")
    Alert.objects.create(
        team=team, campaign=campaign, network="x", remote_id="1", kinds="doxxing",
        matches=[{"kind": "doxxing", "term": "@LABEL@", "source": "protected",
                  "detail": "phone", "excerpt": "call ••••",
                  "explanation": "contains @LABEL@, a phone number on the team's protected list"}],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM safety_protecteddetail")
        print(cursor.fetchone()[0])
        cursor.execute("SELECT name FROM safety_donotname")
        print(cursor.fetchone()[0])
        cursor.execute("SELECT secrets FROM connectors_channel WHERE network = 'telegram'")
        print(cursor.fetchone()[0])
    """
    )
    .replace("@LABEL@", LABEL)
    .replace("@NOTE@", NOTE)
)


def seeded_with_everything(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    seeded = houseboat("shell", "-c", SEED_EVERYWHERE, data_dir=data)
    assert seeded.returncode == 0, seeded.stderr
    ciphertexts = [line for line in seeded.stdout.split() if line.startswith("gAAAA")]
    assert len(ciphertexts) == 3
    erased = [LABEL, NOTE, *ciphertexts]  # the do-not-name entry is stored encrypted
    stored = database_bytes(data)
    assert [text for text in erased if text.encode() not in stored] == []
    return data, erased


def test_nothing_the_purge_erases_stays_in_another_table_or_the_wal(tmp_path):
    data, erased = seeded_with_everything(tmp_path)

    purged = houseboat("purge", "--team", "riverside", "--yes-erase-for-good", data_dir=data)

    assert purged.returncode == 0, purged.stderr
    stored = database_bytes(data)
    left = [text for text in erased if text.encode() in stored]
    assert left == []
    assert (
        not (data / "houseboat.sqlite3-wal").exists()
        or not (data / "houseboat.sqlite3-wal").stat().st_size
    )


def test_a_purge_that_cannot_empty_the_wal_says_so_and_fails_until_run_again(tmp_path):
    data, erased = seeded_with_everything(tmp_path)
    # A long read, as `sqlite3 houseboat.sqlite3 ".backup ..."` holds while it copies.
    reader = sqlite3.connect(data / "houseboat.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM safety_protecteddetail").fetchall()
    try:
        blocked = houseboat("purge", "--team", "riverside", "--yes-erase-for-good", data_dir=data)
    finally:
        reader.execute("COMMIT")
        reader.close()

    assert blocked.returncode == 1
    assert "Traceback" not in blocked.stderr
    assert "another program is reading the database" in blocked.stderr
    assert "houseboat purge --team riverside --yes-erase-for-good" in blocked.stderr
    assert "Erased" not in blocked.stdout  # no success is claimed

    again = houseboat("purge", "--team", "riverside", "--yes-erase-for-good", data_dir=data)

    assert again.returncode == 0, again.stderr
    stored = database_bytes(data)
    assert [text for text in erased if text.encode() in stored] == []


def test_an_alert_about_a_protected_detail_does_not_copy_its_label(team_a, campaign_a, as_victor):
    ProtectedDetail.objects.create(
        team=team_a, kind="phone", secret={"label": LABEL, "value": "+44 7700 900123"}
    )
    raise_alerts(team_a, campaign_a, [Record("x", "1", "Call her on +44 7700 900123 tonight")])

    [alert] = Alert.objects.filter(team=team_a)
    assert LABEL not in json.dumps(alert.matches)
    page = as_victor.get("/t/team-a/safety/alerts/").content.decode()
    assert "protected list" in page and LABEL not in page


def test_an_alert_stored_with_a_label_by_an_older_version_does_not_show_it(
    team_a, campaign_a, as_victor
):
    match = {"kind": "doxxing", "term": LABEL, "source": "protected", "detail": "phone"}
    Alert.objects.create(
        team=team_a, campaign=campaign_a, network="x", remote_id="1", matches=[match]
    )
    page = as_victor.get("/t/team-a/safety/alerts/").content.decode()
    assert "protected list" in page and LABEL not in page


def test_an_invitation_note_is_not_written_to_the_audit_log(team_a, as_alice):
    as_alice.post("/t/team-a/members/invite/", {"note": NOTE, "role": "editor"})
    invitation = Invitation.objects.get(team=team_a)
    as_alice.post(f"/t/team-a/invitations/{invitation.pk}/revoke/")

    events = AuditEvent.objects.filter(team=team_a)
    assert {e.action for e in events} >= {
        AuditAction.MEMBER_INVITED,
        AuditAction.INVITATION_REVOKED,
    }
    assert all(NOTE not in e.target + e.detail for e in events)
