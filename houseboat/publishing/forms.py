"""The composer's form: one message, its channels, each channel's words, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.connectors.constants import Network
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import CONNECTORS, connector_class
from houseboat.core.models import Team
from houseboat.publishing import zones
from houseboat.publishing.models import Attachment, Post, QueueSlot
from houseboat.publishing.preview import Target
from houseboat.publishing.services import PublishingError

SITE = "site"  # the key of the campaign's own site among the targets
NOW, AT, QUEUE = "now", "at", "queue"
# A time this far in the past is a mistake, not a clock that ran on while typing.
PAST_SLACK = timedelta(minutes=2)


def publishable_networks() -> list[str]:
    """Networks a post can go to, the own site aside (it comes with the campaign)."""
    return [
        network
        for network in CONNECTORS
        if network != Network.OWN_SITE and "publish" in connector_class(network).manifest["can"]
    ]


def team_channels(team: Team) -> QuerySet[Channel]:
    return team.channels.filter(network__in=publishable_networks()).order_by("network", "name")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several pictures at once; each is cleaned and stored when the post is saved."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ComposeForm(forms.Form):
    """Everything the composer asks; per-channel texts and pictures are added per team."""

    text = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=gettext_lazy(
            "Written once. Each channel starts from it; change it per channel below."
        ),
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=gettext_lazy("No campaign"),
    )
    link = forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=gettext_lazy(
            "Added at the end of each channel's text, with a tag that lets your website's "
            "visitor statistics tell which network and campaign sent each visitor."
        ),
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skip_own_site = forms.BooleanField(
        label=gettext_lazy("Don't post this to our own site"),
        required=False,
    )
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[
            (NOW, gettext_lazy("As soon as possible")),
            (AT, gettext_lazy("At a time")),
            (QUEUE, gettext_lazy("Add to queue: each channel's next free posting time")),
        ],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    at = forms.CharField(
        label=gettext_lazy("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=())
    upload = MultipleFileField(
        label=gettext_lazy("Add pictures or a video"),
        required=False,
        help_text=gettext_lazy(
            "Location, camera and other hidden details are removed before the file is stored."
        ),
    )
    blur_faces = forms.BooleanField(
        label=gettext_lazy("Blur faces in the new pictures"), required=False
    )

    def __init__(
        self,
        *args: Any,
        team: Team,
        zone: str,
        attachments: Sequence[Attachment] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["campaign"].queryset = team.campaigns.order_by("name")
        self.fields["channels"].queryset = team_channels(team)
        self.fields["time_zone"].choices = [(name, name) for name in zones.names_with(zone)]
        self.fields["time_zone"].initial = zone
        self.attachments = list(attachments)
        self.channel_list = list(self.fields["channels"].queryset)
        for key in [SITE, *(str(channel.pk) for channel in self.channel_list)]:
            self.fields[f"text_{key}"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"})
            )
        for attachment in self.attachments:
            self.fields[f"alt_{attachment.pk}"] = forms.CharField(
                label=_("Description"),
                required=False,
                initial=attachment.alt,
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            )
            self.fields[f"remove_{attachment.pk}"] = forms.BooleanField(
                label=_("Remove"), required=False
            )

    # --- reading what was chosen -----------------------------------------------------

    def value(self, name: str) -> Any:
        """A field's value as typed, cleaned when it is valid (the live check reads both)."""
        if hasattr(self, "cleaned_data") and name in self.cleaned_data:
            return self.cleaned_data[name]
        field = self[name]
        return field.value() if self.is_bound else field.initial

    def chosen_campaign(self) -> Campaign | None:
        value = self.value("campaign")
        if isinstance(value, Campaign):
            return value
        return next((c for c in self.fields["campaign"].queryset if str(c.pk) == str(value)), None)

    def chosen_channels(self) -> list[Channel]:
        value = self.value("channels") or []
        wanted = {str(getattr(item, "pk", item)) for item in value}
        return [channel for channel in self.channel_list if str(channel.pk) in wanted]

    def wants_own_site(self) -> bool:
        return self.chosen_campaign() is not None and not self.value("skip_own_site")

    def targets(self) -> list[Target]:
        """Every place this post would go, the own site first."""
        found = []
        campaign = self.chosen_campaign()
        if campaign is not None and self.wants_own_site():
            found.append(
                Target(SITE, _("Own site of %(name)s") % {"name": campaign.name}, Network.OWN_SITE)
            )
        for channel in self.chosen_channels():
            found.append(Target(str(channel.pk), channel.name, channel.network, channel.config))
        return found

    def channel_text(self, key: str) -> str:
        """This channel's own words, or "" to use the message."""
        return (self.value(f"text_{key}") or "").strip()

    def channel_parts(self, key: str) -> list[str]:
        """This channel's thread, one text per part; empty when it is one post."""
        if self.is_bound:
            return [part.strip() for part in self.data.getlist(f"part_{key}") if part.strip()]
        return list(self.initial.get(f"parts_{key}") or [])

    def texts_for(self, key: str) -> list[str]:
        """What each part of this channel's post says before the link is added."""
        return self.channel_parts(key) or [self.channel_text(key) or (self.value("text") or "")]

    # --- checking the time ---------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["scheduled_at"], data["time_note"] = None, ""
        data["queued"] = data.get("when") == QUEUE
        self.without_slots: list[Channel] = []
        if data["queued"]:
            self.check_queue(data)
        if data.get("when") != AT:
            return data
        raw = data.get("at") or ""
        wall = zones.parse_local(raw)
        if wall is None:
            self.add_error("at", _("Give a date and a time, or choose “As soon as possible”."))
            return data
        zone = data.get("time_zone") or zones.default_zone()
        try:
            reading = zones.read_local(wall, zone)
        except PublishingError as error:
            self.add_error("at", str(error))
            return data
        if reading.utc < timezone.now() - PAST_SLACK:
            now = zones.local(timezone.now(), zone)
            self.add_error(
                "at",
                _(
                    "That time has already passed: it is now %(now)s in %(zone)s. Choose a "
                    "later time, or “As soon as possible”."
                )
                % {"now": now.strftime("%Y-%m-%d %H:%M"), "zone": zone},
            )
            return data
        data["scheduled_at"], data["time_note"] = reading.utc, reading.note
        return data

    def check_queue(self, data: dict[str, Any]) -> None:
        """Refuse the queue when a chosen channel has no posting times (nothing is saved)."""
        chosen = list(data.get("channels") or [])
        if not chosen:
            self.add_error(
                "when",
                _("Choose a network channel: the queue is each channel's own posting times."),
            )
            return
        with_slots = set(
            QueueSlot.objects.filter(channel__in=chosen).values_list("channel_id", flat=True)
        )
        self.without_slots = [channel for channel in chosen if channel.pk not in with_slots]
        if self.without_slots:
            names = ", ".join(channel.name for channel in self.without_slots)
            self.add_error(
                "when",
                _(
                    "%(names)s has no posting times yet, so it has no queue. Set its posting "
                    "times (link below), or choose “As soon as possible” or “At a time”."
                )
                % {"names": names},
            )


def initial_for(
    post: Post | None, zone: str, *, campaign: Campaign | None = None
) -> dict[str, Any]:
    """The form's starting values: the post's, or a new post's defaults."""
    if post is None:
        return {"campaign": campaign, "when": NOW, "time_zone": zone}
    initial: dict[str, Any] = {
        "text": post.text,
        "campaign": post.campaign,
        "link": post.link,
        "time_zone": zone,
        "when": QUEUE if post.queued else AT if post.scheduled_at else NOW,
        "at": zones.local(post.scheduled_at, zone).strftime(zones.INPUT_FORMAT)
        if post.scheduled_at
        else "",
        "channels": [],
        # Left out only where it could have been chosen: a post with no campaign has no
        # own site yet, and choosing a campaign later should bring it in.
        "skip_own_site": post.campaign is not None,
    }
    for variant in post.variants.all():
        channel = variant.channel
        if channel is None:
            continue
        if channel.network == Network.OWN_SITE:
            key = SITE
            initial["skip_own_site"] = False
        else:
            key = str(channel.pk)
            initial["channels"].append(channel.pk)
        initial[f"text_{key}"] = variant.text
        initial[f"parts_{key}"] = list(variant.parts or [])
    return initial


def when_label(moment: datetime | None, zone: str) -> str:
    """Say when a post goes out, in the person's zone."""
    if moment is None:
        return _("as soon as possible")
    return zones.local(moment, zone).strftime("%a %d %b %Y, %H:%M") + f" ({zone})"
