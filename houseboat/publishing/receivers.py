"""Publishing's answers to what other apps announce (connected in PublishingConfig.ready)."""

from __future__ import annotations

from typing import Any

from houseboat.core.models import Team


def on_locking_down(sender: Any, *, team: Team, dry_run: bool = False, **kwargs: Any) -> int:
    """A team is locked down: void its dead-man check-in links; return the armed switches."""
    from houseboat.publishing import deadman
    from houseboat.publishing.constants import DeadManStatus
    from houseboat.publishing.models import DeadManSwitch

    if dry_run:
        return DeadManSwitch.objects.filter(team=team, status=DeadManStatus.ARMED).count()
    return deadman.revoke_pending_releases(team)


def attachment_editable(attachment: Any) -> bool:
    """Whether a picture's post may still change, so its blurred regions may too."""
    from houseboat.publishing.services import EDITABLE

    return attachment.post.status in EDITABLE


def connect() -> None:
    """Register publishing with the safety app's lock-down signal and region hook."""
    from houseboat.safety import lockdown, regions

    lockdown.locking_down.connect(on_locking_down, dispatch_uid="publishing-deadman-lockdown")
    regions.register_editable_check(attachment_editable)
