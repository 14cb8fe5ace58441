"""The tracker as CSV and JSON, for a spreadsheet, a report or another tool."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.db.models import QuerySet

from houseboat.accountability.constants import STATES, Response
from houseboat.accountability.models import Demand
from houseboat.accountability.services import state_of, with_status

CSV_COLUMNS = [
    "ref",
    "title",
    "text",
    "kind",
    "made_by",
    "targets",
    "lead_target",
    "raised_on",
    "deadline",
    "deadline_kind",
    "specificity",
    "themes",
    "affected_groups",
    "visibility",
    "draft",
    "status",
    "response",
    "evidence_sha256",
]
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def prepared(demands: QuerySet[Demand]) -> QuerySet[Demand]:
    return with_status(demands).prefetch_related(
        "target_links__target",
        "themes",
        "groups",
        "evidence",
        "changes__review",
        "responses__review",
    )


def record(demand: Demand) -> dict:
    """Return one demand as plain data, with its whole history (reviewed or not)."""
    links = list(demand.target_links.all())
    lead = next((link.target.name for link in links if link.lead), "")
    state = state_of(demand)
    return {
        "ref": demand.ref,
        "title": demand.title,
        "text": demand.text,
        "kind": demand.kind,
        "made_by": demand.made_by,
        "targets": [link.target.name for link in links],
        "lead_target": lead,
        "raised_on": demand.raised_on.isoformat() if demand.raised_on else "",
        "deadline": demand.deadline.isoformat() if demand.deadline else "",
        "deadline_kind": demand.deadline_kind,
        "specificity": demand.specificity,
        "themes": [str(t) for t in demand.themes.all()],
        "affected_groups": [str(g) for g in demand.groups.all()],
        "visibility": demand.visibility,
        "draft": demand.draft,
        "status": state,
        "status_label": str(STATES[state]),
        "response": demand.current_response or Response.NONE,
        "evidence_sha256": sorted({link.sha256 for link in demand.evidence.all()}),
        "history": [change_record(c) for c in demand.changes.all()],
        "responses": [response_record(r) for r in demand.responses.all()],
    }


def review_record(entry) -> dict | None:
    review = getattr(entry, "review", None)
    if review is None:
        return None
    return {
        "decision": review.decision,
        "by": review.reviewer_label,
        "at": review.reviewed_at.isoformat(),
    }


def change_record(change) -> dict:
    return {
        "progress": change.progress,
        "verdict": change.verdict,
        "happened_on": change.happened_on.isoformat(),
        "recorded_at": change.recorded_at.isoformat(),
        "recorded_by": change.recorded_by_label,
        "rationale": change.rationale,
        "evidence_sha256": [e.sha256 for e in change.evidence.all()],
        "review": review_record(change),
    }


def response_record(answer) -> dict:
    return {
        "response": answer.response,
        "responded_on": answer.responded_on.isoformat() if answer.responded_on else "",
        "quote": answer.quote,
        "recorded_by": answer.recorded_by_label,
        "review": review_record(answer),
    }


def safe_cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(demands: Iterable[Demand]) -> str:
    """Return one row a demand, lists joined with "; ", formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for demand in demands:
        data = record(demand)
        writer.writerow([safe_cell(data[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def to_json(demands: Iterable[Demand], *, campaign) -> str:
    return json.dumps(
        {
            "campaign": campaign.slug,
            "demands": [record(d) for d in demands],
        },
        ensure_ascii=False,
        indent=2,
    )
