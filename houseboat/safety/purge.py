"""Emergency purge: erase a team's personal and secret data beyond recovery.

For the moment a server is about to be seized. What goes: the protected details
of team members (phones, addresses), the do-not-name list, every channel's
credentials and open invitation links. Rows are deleted and the database then
rewrites its file, so the deleted bytes are not left in free pages for a forensic
tool to find: on SQLite ``secure_delete`` plus ``VACUUM`` (and a WAL checkpoint),
on PostgreSQL ``VACUUM FULL`` of the tables touched. Posts, the archive and the
audit log stay: they are the campaign's record, not secrets.

Backups, copies of the data folder and the disk's own remapped blocks are beyond
what a program can reach; the README says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction

from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent, Invitation, Team, User
from houseboat.core.services import audit
from houseboat.safety.alerts import FROM_PROTECTED, explain
from houseboat.safety.models import Alert, DoNotName, ProtectedDetail

# How long the final checkpoint waits for other readers of the SQLite file before it gives
# up and says so: long enough for a page being served, short enough during a raid.
CHECKPOINT_WAIT_MS = 5000
INVITATION_ACTIONS = [AuditAction.MEMBER_INVITED, AuditAction.INVITATION_REVOKED]
ERASED_NOTE = "an invitation (its note was erased by the emergency purge)"


class StorageNotRewritten(Exception):
    """The rows are deleted, but their old bytes may still be in the database's files."""


@dataclass
class PurgeReport:
    protected_details: int = 0
    do_not_name: int = 0
    channel_credentials: int = 0
    invitations: int = 0
    tables: list[str] = field(default_factory=list)


@transaction.atomic
def _erase(team: Team) -> PurgeReport:
    report = PurgeReport()
    report.protected_details, _ = ProtectedDetail.objects.filter(team=team).delete()
    report.do_not_name, _ = DoNotName.objects.filter(team=team).delete()
    report.channel_credentials = (
        Channel.objects.filter(team=team).exclude(network="own_site").update(secrets={})
    )
    report.invitations, _ = Invitation.objects.filter(team=team).delete()
    _erase_copies(team)
    report.tables = [
        ProtectedDetail._meta.db_table,
        DoNotName._meta.db_table,
        Channel._meta.db_table,
        Invitation._meta.db_table,
    ]
    return report


def _erase_copies(team: Team) -> None:
    """Erase what earlier versions copied out of the erased rows into other tables.

    Alerts stored a protected detail's label, and the audit log an invitation's note;
    both are written without them now. The audit log is otherwise never rewritten.
    """
    for alert in Alert.objects.filter(team=team, kinds__contains="doxxing"):
        matches = [_without_label(match) for match in alert.matches]
        if matches != alert.matches:
            Alert.objects.filter(pk=alert.pk).update(matches=matches)
    noted = list(
        AuditEvent.objects.filter(team=team, action__in=INVITATION_ACTIONS)
        .exclude(target__regex=r"^invitation [0-9]+$")
        .values_list("pk", flat=True)
    )
    if noted:
        with connection.cursor() as cursor:  # past the ORM's append-only guard, on purpose
            cursor.executemany(
                "UPDATE core_auditevent SET target = %s WHERE id = %s",
                [(ERASED_NOTE, pk) for pk in noted],
            )


def _without_label(match: dict) -> dict:
    if match.get("source") != FROM_PROTECTED or not match.get("term"):
        return match
    bare = {**match, "term": ""}
    if "explanation" in bare:
        bare["explanation"] = str(explain(bare))
    return bare


def rewrite_storage(tables: list[str]) -> None:
    """Make the database rewrite its file so deleted rows leave no readable trace.

    On SQLite, raise StorageNotRewritten when the write-ahead log cannot be emptied
    because another connection still reads an older state of the file.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            try:
                cursor.execute("PRAGMA secure_delete = ON")
                cursor.execute("VACUUM")
                cursor.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = cursor.fetchone()[0]
            except OperationalError as error:
                raise StorageNotRewritten(str(error)) from error
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {_timeout_ms()}")
        if busy:
            raise StorageNotRewritten("")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'VACUUM FULL "{table}"')  # names from our own models


def emergency_purge(team: Team, *, actor: User | None = None) -> PurgeReport:
    """Erase the team's protected personal data and credentials, then rewrite the storage.

    VACUUM cannot run inside a transaction, so the deletion commits first. Raise
    StorageNotRewritten when the old bytes may remain on disk (the rows are gone then):
    running it again once other readers stopped finishes the job.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # deleted cells are zeroed as they are written
            cursor.execute("PRAGMA secure_delete = ON")
    report = _erase(team)
    audit(
        AuditAction.EMERGENCY_PURGE,
        actor=actor,
        team=team,
        target=team.name,
        detail=(
            f"{report.protected_details} protected details, {report.do_not_name} names, "
            f"{report.channel_credentials} channel credentials, "
            f"{report.invitations} invitations erased"
        ),
    )
    if not connection.in_atomic_block:
        rewrite_storage(report.tables)
    return report


def _timeout_ms() -> int:
    """The connection's usual busy timeout, from the database settings."""
    return int(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5) * 1000)
