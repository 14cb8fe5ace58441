"""The composer's live check: each chosen channel's counters, problems and notes.

It measures what will really go out (the channel's text, the link with that
channel's UTM parameters added to the last part) with the rules the server
enforces before scheduling (``houseboat.connectors.text``, the channel's own
limits), so the counter a person watches and the refusal they might meet agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.connectors import text as text_rules
from houseboat.connectors.base import Connector, MediaFile
from houseboat.connectors.registry import connector_class
from houseboat.publishing.services import with_link
from houseboat.publishing.threads import split_thread

UNITS = {"weighted": gettext_lazy("weighted characters")}


@dataclass(frozen=True)
class Target:
    """Somewhere the post may go: a channel, or the campaign's own site (key "site")."""

    key: str
    label: str
    network: str
    config: Mapping[str, Any] = field(default_factory=dict)

    def connector(self) -> Connector:
        # No secrets: counting needs only the limits, which live in the plain settings.
        return connector_class(self.network)(config=self.config, secrets={})

    @property
    def takes_media(self) -> bool:
        manifest = connector_class(self.network).manifest
        return "media" in manifest["can"] and manifest["limits"]["media"] is not None


@dataclass
class PartCount:
    used: int
    limit: int | None

    @property
    def over(self) -> int:
        return max(0, self.used - self.limit) if self.limit is not None else 0

    @property
    def near(self) -> bool:
        """Within a tenth of the limit: worth a glance before it goes over."""
        return self.limit is not None and not self.over and self.used > self.limit * 0.9


@dataclass
class TargetCheck:
    """What one channel will get, and what stands in its way."""

    target: Target
    texts: list[str]
    counts: list[PartCount]
    problems: list[str]
    notes: list[str]
    unit: str
    can_thread: bool
    # Parts a thread would have, offered when the text is too long for one post.
    suggested_parts: int = 0

    @property
    def key(self) -> str:
        return self.target.key

    @property
    def is_thread(self) -> bool:
        return len(self.texts) > 1

    @property
    def ready(self) -> bool:
        return not self.problems


def check_target(
    target: Target,
    texts: Sequence[str],
    *,
    link: str,
    campaign: Campaign | None,
    media: Sequence[MediaFile] = (),
) -> TargetCheck:
    """Measure and check what target will get, as ``services.variant_problems`` does."""
    connector = target.connector()
    manifest = connector.manifest
    limits = connector.limits()
    rule = limits.get("text")
    written = [str(words) for words in texts] or [""]
    texts = list(written)
    texts[-1] = with_link(texts[-1], link, network=target.network, campaign=campaign)
    problems: list[str] = []
    notes: list[str] = []
    if media and not target.takes_media:
        notes.append(
            _("%(name)s cannot carry pictures or video: it gets the text only.")
            % {"name": target.label}
        )
    media = list(media) if target.takes_media else []
    if "publish" not in manifest["can"]:
        problems.append(_("%(name)s can be read but not published to.") % {"name": target.label})
    can_thread = "threads" in manifest["can"]
    if len(texts) > 1 and not can_thread:
        problems.append(
            _("%(name)s cannot take a thread: make it one post.") % {"name": target.label}
        )
    counts = []
    for index, words in enumerate(texts):
        label = target.label if len(texts) == 1 else f"{target.label}, part {index + 1}"
        for problem in text_rules.check(limits, words, media if index == 0 else (), label=label):
            (problems if problem.blocking else notes).append(problem.message)
        if rule is not None:
            counts.append(
                PartCount(
                    text_rules.length(words, rule["counted"], rule.get("url_length")), rule["max"]
                )
            )
    for item in media:
        if not item.alt.strip():
            notes.append(
                _("%(file)s has no description: people who use a screen reader will miss it.")
                % {"file": item.path.name}
            )
    check = TargetCheck(
        target=target,
        texts=texts,
        counts=counts,
        problems=problems,
        notes=notes,
        unit=UNITS.get(rule["counted"], _("characters")) if rule else "",
        can_thread=can_thread,
    )
    if can_thread and rule is not None and len(texts) == 1 and any(c.over for c in counts):
        check.suggested_parts = len(
            suggest_thread(target, written[0], link=link, campaign=campaign)
        )
    return check


def suggest_thread(
    target: Target, words: str, *, link: str, campaign: Campaign | None
) -> list[str]:
    """Split words into a numbered thread that fits target, room kept for the tagged link."""
    rule = target.connector().limits().get("text")
    if rule is None:
        return [words]
    reserve = 0
    if link:
        tagged = with_link("", link, network=target.network, campaign=campaign)
        reserve = text_rules.length("\n" + tagged.strip(), rule["counted"], rule.get("url_length"))
    return split_thread(words, rule, reserve_last=reserve)
