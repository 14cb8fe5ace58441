"""What other code may do with demands: record, review, find, count and show them.

Views, the command line, the importer and the demo all go through these functions,
so the rules (a rationale always, evidence for a verdict, a second member to review,
nothing unreviewed in public) hold the same way everywhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from houseboat.accountability.constants import (
    STATES,
    SUMMARY_ORDER,
    CandidateState,
    Decision,
    Progress,
    Response,
    Verdict,
    Visibility,
)
from houseboat.accountability.models import (
    AuthorityResponse,
    Candidate,
    Demand,
    DemandTarget,
    EvidenceLink,
    Review,
    StatusChange,
    Target,
)
from houseboat.campaigns.models import Campaign
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.models import Membership, User
from houseboat.core.services import audit
from houseboat.listening.models import Item

SHA256 = re.compile(r"[0-9a-f]{12,64}")


class DemandError(Exception):
    """A rule of the tracker was not met; the message says what to do."""


@dataclass(frozen=True)
class Evidence:
    """An archive item to link, with the team's excerpt and the public's redacted one."""

    item: Item
    excerpt: str = ""
    public_excerpt: str = ""


# --- Who sees what -----------------------------------------------------------------------


def can_review(membership: Membership) -> bool:
    """Editors and owners review; contributors propose; viewers read."""
    return membership.can(Capability.PUBLISH)


def visible_demands(membership: Membership, campaign: Campaign) -> QuerySet[Demand]:
    """Return the campaign's demands this member may see (private ones: own, or a reviewer)."""
    demands = Demand.objects.filter(campaign=campaign, campaign__team=membership.team)
    if can_review(membership):
        return demands
    return demands.filter(~Q(visibility=Visibility.PRIVATE) | Q(created_by=membership.user))


def with_status(demands: QuerySet[Demand]) -> QuerySet[Demand]:
    """Annotate each demand with its current (reviewed) verdict, progress and response."""
    latest = StatusChange.objects.filter(
        demand=OuterRef("pk"), review__decision=Decision.APPROVED
    ).order_by("-happened_on", "-recorded_at", "-pk")
    answer = AuthorityResponse.objects.filter(
        demand=OuterRef("pk"), review__decision=Decision.APPROVED
    ).order_by("-responded_on", "-recorded_at", "-pk")
    return demands.annotate(
        current_verdict=Subquery(latest.values("verdict")[:1]),
        current_progress=Subquery(latest.values("progress")[:1]),
        current_response=Subquery(answer.values("response")[:1]),
    )


def state_of(demand: Demand) -> str:
    """Return the demand's current state from `with_status`: a verdict, or its progress."""
    return (
        getattr(demand, "current_verdict", "")
        or getattr(demand, "current_progress", "")
        or Progress.NOT_ASSESSED
    )


def state_filter(state: str) -> Q:
    """Return the condition for demands (annotated by `with_status`) in a state."""
    if state in Verdict.values:
        return Q(current_verdict=state)
    if state == Progress.NOT_ASSESSED:
        return Q(current_progress=state) | Q(current_verdict__isnull=True)
    return Q(current_progress=state)


def summary(demands: Iterable[Demand]) -> tuple[Counter, str]:
    """Count demands by state and say it in a line: "12 demands: 3 implemented, 2 broken…"."""
    counts = Counter(state_of(d) for d in demands)
    total = sum(counts.values())
    parts = [f"{counts[state]} {STATES[state]}" for state in SUMMARY_ORDER if counts[state]]
    head = ngettext("%(n)d demand", "%(n)d demands", total) % {"n": total}
    return counts, f"{head}: {', '.join(parts)}" if parts else head


# --- Demands -------------------------------------------------------------------------------


def set_targets(demand: Demand, names: Sequence[str], *, lead: str = "") -> None:
    """Link the demand to targets by name, creating them in the team; mark the lead."""
    team = demand.campaign.team
    lead = lead or (names[0] if names else "")
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        target, _created = Target.objects.get_or_create(team=team, name=name[:200])
        DemandTarget.objects.update_or_create(
            demand=demand, target=target, defaults={"lead": name == lead}
        )


def create_demand(
    campaign: Campaign,
    *,
    title: str,
    by: User | None = None,
    targets: Sequence[str] = (),
    **fields,
) -> Demand:
    """Add a demand to a campaign's tracker; a reference is unique in the campaign."""
    title = title.strip()
    if not title:
        raise DemandError(_("A demand needs a short title."))
    ref = fields.pop("ref", "").strip()
    if ref and Demand.objects.filter(campaign=campaign, ref=ref).exists():
        raise DemandError(
            _("The tracker already has a demand with the reference %(ref)s.") % {"ref": ref}
        )
    with transaction.atomic():
        demand = Demand.objects.create(
            campaign=campaign, title=title[:200], ref=ref, created_by=by, **fields
        )
        set_targets(demand, targets)
        audit_demand(demand, AuditAction.DEMAND_ADDED, by)
    return demand


def find_demand(campaign: Campaign, ref: str) -> Demand:
    """Return the campaign's demand with this reference (or number), or say how to find it."""
    demand = Demand.objects.filter(campaign=campaign, ref=ref).first()
    if demand is None and ref.isdigit():
        demand = Demand.objects.filter(campaign=campaign, pk=int(ref)).first()
    if demand is None:
        raise DemandError(
            _(
                "No demand in %(campaign)s has the reference %(ref)s. "
                "`houseboat demand list --campaign %(slug)s` shows them."
            )
            % {"campaign": campaign.name, "ref": ref, "slug": campaign.slug}
        )
    return demand


def find_item(campaign: Campaign, reference: str) -> Item:
    """Return the campaign's archive item named by its SHA-256 (or its first 12+ digits)."""
    reference = reference.strip().lower()
    if not SHA256.fullmatch(reference):
        raise DemandError(
            _(
                "%(ref)s is not an archive item's SHA-256. Copy it from the item's custody "
                "page or from `houseboat search`."
            )
            % {"ref": reference or _("(nothing)")}
        )
    matches = list(Item.objects.filter(campaign=campaign, raw_sha256__startswith=reference)[:2])
    if not matches:
        raise DemandError(
            _("No item in %(campaign)s's archive has the SHA-256 %(ref)s.")
            % {"campaign": campaign.name, "ref": reference}
        )
    if len(matches) > 1:
        raise DemandError(
            _("More than one item starts with %(ref)s: give more of it.") % {"ref": reference}
        )
    return matches[0]


# --- History ---------------------------------------------------------------------------------


def label(user: User | None) -> str:
    return user.get_username() if user else ""


def audit_demand(demand: Demand, action: str, by: User | None, detail: str = "") -> None:
    """Append one step of a demand's history to the team's audit log."""
    audit(action, actor=by, team=demand.campaign.team, target=f"demand {demand.pk}", detail=detail)


def link_evidence(
    demand: Demand,
    evidence: Iterable[Evidence],
    *,
    by: User | None,
    change: StatusChange | None = None,
    response: AuthorityResponse | None = None,
) -> list[EvidenceLink]:
    """Link archive items to the demand (and to a change or response) by their SHA-256."""
    links = []
    for piece in evidence:
        if piece.item.campaign_id != demand.campaign_id:
            raise DemandError(_("Evidence must come from this campaign's own archive."))
        links.append(
            EvidenceLink.objects.create(
                demand=demand,
                change=change,
                response=response,
                item=piece.item,
                sha256=piece.item.raw_sha256,
                excerpt=(piece.excerpt or piece.item.text)[:2000],
                public_excerpt=piece.public_excerpt[:2000],
                added_by=by,
                added_by_label=label(by),
            )
        )
    if links:
        audit_demand(demand, AuditAction.DEMAND_EVIDENCE_LINKED, by, f"{len(links)} item(s)")
    return links


def record_change(
    demand: Demand,
    *,
    rationale: str,
    progress: str = "",
    verdict: str = "",
    happened_on: date | None = None,
    evidence: Sequence[Evidence] = (),
    by: User | None = None,
) -> StatusChange:
    """Append a status change; it counts (and shows in public) once a second member approves."""
    if bool(progress) == bool(verdict):
        raise DemandError(_("Give either a progress or a verdict, not both and not neither."))
    if progress and progress not in Progress.values:
        raise DemandError(_("Unknown progress %(value)s.") % {"value": progress})
    if verdict and verdict not in Verdict.values:
        raise DemandError(_("Unknown verdict %(value)s.") % {"value": verdict})
    if not rationale.strip():
        raise DemandError(_("Write why: a status change needs a rationale."))
    if verdict and not evidence:
        raise DemandError(
            _(
                "A verdict needs evidence: link at least one archive item (a post, a press "
                "story, a document) that shows it. Nothing was recorded."
            )
        )
    today = timezone.localdate()
    happened_on = happened_on or today
    if happened_on > today:
        raise DemandError(_("A change cannot have happened in the future."))
    with transaction.atomic():
        change = StatusChange.objects.create(
            demand=demand,
            progress=progress,
            verdict=verdict,
            happened_on=happened_on,
            rationale=rationale.strip(),
            recorded_by=by,
            recorded_by_label=label(by),
        )
        audit_demand(demand, AuditAction.DEMAND_CHANGE_RECORDED, by, progress or verdict)
        link_evidence(demand, evidence, by=by, change=change)
    return change


def record_response(
    demand: Demand,
    *,
    response: str,
    responded_on: date | None = None,
    quote: str = "",
    evidence: Sequence[Evidence] = (),
    by: User | None = None,
) -> AuthorityResponse:
    """Append what the authority answered; it counts once a second member approves."""
    if response not in Response.values:
        raise DemandError(_("Unknown response %(value)s.") % {"value": response})
    with transaction.atomic():
        answer = AuthorityResponse.objects.create(
            demand=demand,
            response=response,
            responded_on=responded_on,
            quote=quote.strip(),
            recorded_by=by,
            recorded_by_label=label(by),
        )
        audit_demand(demand, AuditAction.DEMAND_RESPONSE_RECORDED, by, response)
        link_evidence(demand, evidence, by=by, response=answer)
    return answer


def review(
    entry: StatusChange | AuthorityResponse,
    *,
    membership: Membership,
    decision: str,
    note: str = "",
) -> Review:
    """Approve or decline a recorded entry, once, by a reviewer who did not record it."""
    if not can_review(membership):
        raise DemandError(_("Only editors and owners review status changes and responses."))
    if entry.demand.campaign.team_id != membership.team_id:
        raise DemandError(_("This entry belongs to another team."))
    if entry.recorded_by_id == membership.user_id:
        raise DemandError(_("A second member must review this: you recorded it yourself."))
    if decision not in Decision.values:
        raise DemandError(_("Unknown decision %(value)s.") % {"value": decision})
    if Review.objects.filter(
        Q(change=entry) if isinstance(entry, StatusChange) else Q(response=entry)
    ).exists():
        raise DemandError(_("This entry was already reviewed."))
    field = "change" if isinstance(entry, StatusChange) else "response"
    with transaction.atomic():
        done = Review.objects.create(
            **{field: entry},
            decision=decision,
            reviewer=membership.user,
            reviewer_label=label(membership.user),
            note=note.strip(),
        )
        audit_demand(
            entry.demand, AuditAction.DEMAND_REVIEWED, membership.user, f"{field} {decision}"
        )
    return done


def awaiting_review(campaign: Campaign) -> tuple[QuerySet, QuerySet]:
    """Return the campaign's status changes and responses no one has reviewed yet."""
    changes = StatusChange.objects.filter(demand__campaign=campaign, review__isnull=True)
    responses = AuthorityResponse.objects.filter(demand__campaign=campaign, review__isnull=True)
    return (
        changes.select_related("demand").order_by("recorded_at"),
        responses.select_related("demand").order_by("recorded_at"),
    )


# --- Candidates ------------------------------------------------------------------------------


def decide_candidate(candidate: Candidate, *, keep: bool, by: User) -> EvidenceLink | None:
    """Keep a monitoring match as evidence, or dismiss it. The status does not change."""
    with transaction.atomic():
        updated = Candidate.objects.filter(pk=candidate.pk, state=CandidateState.OPEN).update(
            state=CandidateState.ACCEPTED if keep else CandidateState.DISMISSED,
            decided_by=by,
            decided_at=timezone.now(),
        )
        if not updated:
            raise DemandError(_("Someone already decided about this match."))
        if keep:
            return link_evidence(candidate.demand, [Evidence(candidate.item)], by=by)[0]
    return None


# --- Public ----------------------------------------------------------------------------------

MENTION = re.compile(r"(?<![\w@])@[\w.]+(?:@[\w.-]+)?")
REMOVED = "[…]"


def redact(text: str) -> str:
    """Return text fit for a public page: e-mail addresses, phone numbers and handles removed."""
    from houseboat.safety.patterns import find_emails, find_phones  # safety reads text only

    spans = sorted((f.start, f.end) for f in [*find_emails(text), *find_phones(text)])
    for start, end in reversed(spans):
        text = text[:start] + REMOVED + text[end:]
    return MENTION.sub(REMOVED, text)


@dataclass
class PublicEntry:
    """One demand as the public tracker shows it: reviewed history, no names of the team."""

    demand: Demand
    state: str
    state_label: str
    response_label: str
    history: list[dict]


def public_demands(campaign: Campaign) -> QuerySet[Demand]:
    return Demand.objects.filter(campaign=campaign, visibility=Visibility.PUBLIC, draft=False)


def public_entries(campaign: Campaign) -> list[PublicEntry]:
    """Return the public tracker's entries: public, not draft, reviewed history only."""
    entries = []
    demands = with_status(public_demands(campaign)).prefetch_related("target_links__target")
    for demand in demands:
        changes = demand.changes.filter(review__decision=Decision.APPROVED).prefetch_related(
            "evidence"
        )
        answers = demand.responses.filter(review__decision=Decision.APPROVED)
        history = [
            {
                "on": change.happened_on,
                "what": change.state_label,
                "why": redact(change.rationale),
                "sources": [public_source(link) for link in change.evidence.all()],
            }
            for change in changes
        ] + [
            {
                "on": answer.responded_on,
                "what": _("Response: %(r)s") % {"r": answer.get_response_display()},
                "why": redact(answer.quote),
                "sources": [],
            }
            for answer in answers
        ]
        history.sort(key=lambda h: h["on"] or date.min)
        state = state_of(demand)
        entries.append(
            PublicEntry(
                demand=demand,
                state=state,
                state_label=STATES[state],
                response_label=Response(demand.current_response).label
                if demand.current_response
                else _("none yet"),
                history=history,
            )
        )
    return entries


def public_source(link: EvidenceLink) -> dict:
    """What the public learns of a piece of evidence: its hash, date and redacted excerpt."""
    return {
        "sha256": link.sha256,
        "excerpt": redact(link.public_excerpt),
        "on": link.item.created_at if link.item else None,
    }
