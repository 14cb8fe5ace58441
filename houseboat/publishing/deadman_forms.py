"""The form for a dead-man switch: statements per channel, the interval, the warning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.connectors.models import Channel
from houseboat.publishing import zones
from houseboat.publishing.deadman import Statements
from houseboat.publishing.models import DeadManSwitch
from houseboat.publishing.services import PublishingError

DEFAULT_INTERVAL_HOURS = 72
DEFAULT_WARNING_HOURS = 24


class DeadManForm(forms.Form):
    """Prepare or change a switch; each channel may have its own words."""

    name = forms.CharField(
        label=gettext_lazy("What it is for"),
        max_length=120,
        help_text=gettext_lazy("Only the team sees this, e.g. “If I am detained at the border”."),
    )
    text = forms.CharField(
        label=gettext_lazy("Statement"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text=gettext_lazy(
            "What goes out on every channel you choose, unless you give a channel its own "
            "words below."
        ),
    )
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Publish it on"),
        queryset=Channel.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one channel.")},
    )
    check_in_hours = forms.IntegerField(
        label=gettext_lazy("Check in every (hours)"),
        min_value=1,
        max_value=720,
        initial=DEFAULT_INTERVAL_HOURS,
        help_text=gettext_lazy("Each check-in moves the deadline this far from that moment."),
    )
    warn_hours = forms.IntegerField(
        label=gettext_lazy("Warn the owners this many hours before the deadline"),
        min_value=1,
        max_value=719,
        initial=DEFAULT_WARNING_HOURS,
    )
    first_deadline = forms.CharField(
        label=gettext_lazy("First deadline (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    time_zone = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        channels: list[Channel],
        zone: str,
        switch: DeadManSwitch | None = None,
        **kwargs: Any,
    ) -> None:
        if switch is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(switch, zone)
        super().__init__(*args, **kwargs)
        self.zone = self.data.get("time_zone") or zone
        self.fields["time_zone"].initial = self.zone
        self.fields["channels"].queryset = Channel.objects.filter(
            pk__in=[channel.pk for channel in channels]
        ).order_by("network", "name")
        self.fields["first_deadline"].help_text = _(
            "In %(zone)s. Empty: one check-in interval after you arm the switch."
        ) % {"zone": self.zone}
        self.channel_list = channels
        for channel in channels:
            self.fields[f"text_{channel.pk}"] = forms.CharField(
                label=_("Own words for %(channel)s") % {"channel": channel.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            )

    def rows(self) -> list[tuple[Channel, bool, forms.BoundField]]:
        """Each channel with whether it is chosen and its own-words field."""
        if self.is_bound:
            chosen = {str(value) for value in self.data.getlist("channels")}
        else:
            chosen = {str(value) for value in self.initial.get("channels", [])}
        return [
            (channel, str(channel.pk) in chosen, self[f"text_{channel.pk}"])
            for channel in self.channel_list
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        every, warn = data.get("check_in_hours"), data.get("warn_hours")
        if every and warn and warn >= every:
            self.add_error(
                "warn_hours",
                _(
                    "The warning must come after the last check-in: make it shorter than %(n)s hours."
                )
                % {"n": every},
            )
        data["deadline"] = None
        raw = (data.get("first_deadline") or "").strip()
        if raw:
            value = zones.parse_local(raw)
            if value is None:
                self.add_error("first_deadline", _("Enter a date and a time."))
            else:
                try:
                    data["deadline"] = zones.read_local(value, self.zone).utc
                except PublishingError as error:
                    self.add_error("first_deadline", str(error))
        return data

    def statements(self) -> Statements:
        """Return what the person wrote, for ``deadman.prepare`` or ``deadman.update``."""
        data = self.cleaned_data
        channels = list(data["channels"])
        return Statements(
            name=data["name"],
            text=data["text"],
            channels=channels,
            texts={channel.pk: data.get(f"text_{channel.pk}") or "" for channel in channels},
            check_in_every=timedelta(hours=data["check_in_hours"]),
            warn_before=timedelta(hours=data["warn_hours"]),
            deadline=data["deadline"],
        )


def initial_for(switch: DeadManSwitch, zone: str) -> dict[str, Any]:
    """Return the form's starting values for an existing switch."""
    post = switch.post
    variants = list(post.variants.all()) if post is not None else []
    initial: dict[str, Any] = {
        "name": switch.name,
        "text": post.text if post is not None else "",
        "channels": [variant.channel_id for variant in variants if variant.channel_id],
        "check_in_hours": int(switch.check_in_every.total_seconds() // 3600),
        "warn_hours": int(switch.warn_before.total_seconds() // 3600),
    }
    if switch.deadline is not None:
        initial["first_deadline"] = zones.local(switch.deadline, zone).strftime(zones.INPUT_FORMAT)
    for variant in variants:
        initial[f"text_{variant.channel_id}"] = variant.text
    return initial
