"""Adding press sources: one place for the command line and the Press sources page."""

from __future__ import annotations

from django.db.models import Count, Q

from houseboat.core.models import Team
from houseboat.radar.models import PressCollection, PressSource


def collection_named(team: Team, name: str) -> PressCollection | None:
    """Return the team's collection of that name, made if new; None for no name."""
    name = " ".join(name.split())
    if not name:
        return None
    found = PressCollection.objects.filter(team=team, name__iexact=name).first()
    return found or PressCollection.objects.create(team=team, name=name[:120])


def sources_by_collection(team: Team) -> list[tuple[PressCollection | None, list[PressSource]]]:
    """The team's sources grouped by collection (named ones first, then the loose ones)."""
    groups: dict[int | None, list[PressSource]] = {}
    collections = {c.pk: c for c in PressCollection.objects.filter(team=team)}
    found = PressSource.objects.filter(team=team).annotate(
        story_count=Count("stories"), edited_count=Count("stories", filter=Q(stories__edited=True))
    )
    for source in found.order_by("name", "id"):
        groups.setdefault(source.collection_id, []).append(source)
    ordered = sorted(
        (pk for pk in groups if pk is not None), key=lambda pk: collections[pk].name.lower()
    )
    result: list[tuple[PressCollection | None, list[PressSource]]] = [
        (collections[pk], groups[pk]) for pk in ordered
    ]
    if None in groups:
        result.append((None, groups[None]))
    return result
