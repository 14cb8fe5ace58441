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

from django.db import connection, transaction

from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import Invitation, Team, User
from houseboat.core.services import audit
from houseboat.safety.models import DoNotName, ProtectedDetail


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
    report.tables = [
        ProtectedDetail._meta.db_table,
        DoNotName._meta.db_table,
        Channel._meta.db_table,
        Invitation._meta.db_table,
    ]
    return report


def rewrite_storage(tables: list[str]) -> None:
    """Make the database rewrite its file so deleted rows leave no readable trace."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'VACUUM FULL "{table}"')  # names from our own models


def emergency_purge(team: Team, *, actor: User | None = None) -> PurgeReport:
    """Erase the team's protected personal data and credentials, then rewrite the storage.

    VACUUM cannot run inside a transaction, so the deletion commits first.
    """
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
