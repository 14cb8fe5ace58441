"""Supporters from a CSV file: every good row kept, every bad row named with its line.

The file has a header row. Its columns are mapped to houseboat's fields (the
command line expects the names themselves: ``name,handles,consent,language,area,tags``);
several values in one cell are separated by ``;``. Rows are checked one by one and
saved in batches, so 10,000 rows take seconds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from houseboat.core.models import Team
from houseboat.organizing.constants import SupporterSource
from houseboat.organizing.models import Consent, Supporter, SupporterHandle
from houseboat.organizing.services import (
    NewSupporter,
    SupporterError,
    build_supporter,
    consent_rows,
    digest,
    handle_rows,
    parse_handle,
)

FIELDS = ("name", "handles", "consent", "language", "area", "tags")
REQUIRED = ("name",)
BATCH = 1000
MAX_BYTES = 20 * 1024 * 1024
MAX_CELL = 4000


class CSVFileError(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class ImportReport:
    added: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [_("line %(line)s: %(reason)s") % {"line": n, "reason": r} for n, r in self.bad]


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CSVFileError(_("The file is larger than 20 MB: split it into smaller files."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CSVFileError(
            _(
                "The file is not UTF-8 text (a byte at position %(pos)s cannot be read). "
                "Save it again as “CSV UTF-8” from your spreadsheet."
            )
            % {"pos": error.start}
        ) from None


def read_header(text: str) -> list[str]:
    """Return the header row's column names, or raise CSVFileError."""
    try:
        header = next(csv.reader(io.StringIO(text)), None)
    except csv.Error as error:
        raise CSVFileError(_("The header row cannot be read: %(e)s.") % {"e": error}) from None
    if not header or not any(cell.strip() for cell in header):
        raise CSVFileError(_("The file is empty: the first row must name the columns."))
    return [cell.strip() for cell in header]


def identity_mapping(header: list[str]) -> dict[str, str]:
    """Map each of houseboat's fields to the column of the same name."""
    lower = {name.lower(): name for name in header}
    unknown = [name for name in header if name.lower() not in FIELDS]
    if unknown:
        raise CSVFileError(
            _("Unknown columns: %(cols)s. The columns are: %(fields)s.")
            % {"cols": ", ".join(unknown), "fields": ",".join(FIELDS)}
        )
    mapping = {f: lower[f] for f in FIELDS if f in lower}
    if "name" not in mapping:
        raise CSVFileError(_("The header has no “name” column: every supporter needs one."))
    return mapping


def rows(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield (line number, cells, problem) for each record after the header."""
    reader = csv.reader(io.StringIO(text.replace("\0", "")))
    try:
        next(reader)
    except (StopIteration, csv.Error):
        return
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, None, _("the row cannot be read as CSV (%(e)s)") % {"e": error}
            continue
        if any(cell.strip() for cell in cells):
            yield start, cells, ""


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def to_new_supporter(values: Mapping[str, str]) -> NewSupporter:
    """Read one row's values into a checked NewSupporter, or raise SupporterError."""
    for name, value in values.items():
        if len(value) > MAX_CELL:
            raise SupporterError(_("the %(name)s cell is too long") % {"name": name})
    handles: dict[str, str] = {}
    for text in split(values.get("handles", "")):
        network, handle = parse_handle(text)
        handles[network] = handle
    return NewSupporter(
        name=values.get("name", ""),
        handles=handles,
        consents=split(values.get("consent", "")),
        language=values.get("language", ""),
        area=values.get("area", ""),
        tags=split(values.get("tags", "")),
    ).checked()


def import_supporters(
    team: Team,
    data: bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    source_name: str = "CSV file",
    wording: str = "",
    campaign=None,
) -> ImportReport:
    """Import a CSV file's supporters; return how many were added and each bad row."""
    text = decode(data)
    header = read_header(text)
    mapping = dict(mapping) if mapping else identity_mapping(header)
    index = {f: header.index(col) for f, col in mapping.items() if col in header}
    if "name" not in index:
        raise CSVFileError(_("Choose which column holds the name."))
    report = ImportReport()
    seen = existing_digests(team)
    batch: list[tuple[int, NewSupporter]] = []
    for line, cells, problem in rows(text):
        if problem:
            report.bad.append((line, problem))
            continue
        new, problem = check_row(cells, index, len(header), seen)
        if problem:
            report.bad.append((line, problem))
            continue
        batch.append((line, new))
        if len(batch) >= BATCH:
            report.added += save_batch(team, batch, source_name, wording, campaign)
            batch = []
    report.added += save_batch(team, batch, source_name, wording, campaign)
    return report


def check_row(
    cells: list[str], index: Mapping[str, int], width: int, seen: set[tuple[str, str]]
) -> tuple[NewSupporter | None, str]:
    if len(cells) > width:
        return None, _("%(n)s cells but the header has %(w)s (a stray comma?)") % {
            "n": len(cells),
            "w": width,
        }
    values = {f: cells[i] if i < len(cells) else "" for f, i in index.items()}
    try:
        new = to_new_supporter(values)
    except SupporterError as error:
        return None, str(error)
    keys = {(network, digest(f"handle.{network}", h)) for network, h in new.handles.items()}
    taken = sorted(network for network, d in keys if (network, d) in seen)
    if taken:
        return None, _("already a supporter (same %(networks)s handle)") % {
            "networks": ", ".join(taken)
        }
    seen |= keys
    return new, ""


def existing_digests(team: Team) -> set[tuple[str, str]]:
    return set(SupporterHandle.objects.filter(team=team).values_list("network", "digest"))


@transaction.atomic
def save_batch(
    team: Team, batch: list[tuple[int, NewSupporter]], source_name: str, wording: str, campaign
) -> int:
    if not batch:
        return 0
    supporters = Supporter.objects.bulk_create(
        [
            build_supporter(team, new, source=SupporterSource.CSV, campaign=campaign)
            for _l, new in batch
        ]
    )
    handles, consents = [], []
    for supporter, (line, new) in zip(supporters, batch, strict=True):
        handles += handle_rows(supporter, new.handles)
        consents += consent_rows(
            supporter,
            new.consents,
            source=f"{source_name}, line {line}",
            wording=wording,
            confirmed=True,
        )
    insert_rows(SupporterHandle, ["team_id", "supporter_id", "network", "digest"], handles)
    insert_rows(
        Consent,
        ["supporter_id", "channel", "given_at", "source", "wording", "confirmed_at"],
        consents,
    )
    return len(supporters)


def insert_rows(model, columns: list[str], objects: list) -> None:
    """Insert many rows with one prepared statement, without the ORM's per-object work."""
    if not objects:
        return
    fields = [model._meta.get_field(name.removesuffix("_id")) for name in columns]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from our models)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        [
            f.get_db_prep_save(getattr(obj, name), connection)
            for f, name in zip(fields, columns, strict=True)
        ]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
