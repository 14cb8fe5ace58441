"""The connect and edit forms, built from each connector's manifest."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from houseboat.connectors.base import CredentialField, Manifest


def _field(spec: CredentialField, *, editing: bool) -> forms.Field:
    required = spec.get("required", spec["secret"]) and not spec.get("default")
    help_text = gettext(spec["help"])  # marked with gettext_noop in the manifest
    if spec["secret"]:
        if editing:
            required = False
            help_text = f"{help_text} " + str(_("Leave empty to keep the one saved."))
        # render_value=False: a saved secret is never sent back to the browser.
        widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
        return forms.CharField(
            label=gettext(spec["label"]), required=required, help_text=help_text, widget=widget
        )
    return forms.CharField(
        label=gettext(spec["label"]),
        required=required,
        help_text=help_text,
        initial=spec.get("default", ""),
        max_length=500,
    )


class ChannelForm(forms.Form):
    """Name, the network's plain settings and its credentials."""

    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("How the team recognises this channel, e.g. “Mastodon — main account”."),
    )

    def __init__(self, *args: Any, manifest: Manifest, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.manifest = manifest
        for spec in manifest["settings"] + manifest["credentials"]:
            self.fields[spec["name"]] = _field(spec, editing=editing)
        self.fields["allow_private_network"] = forms.BooleanField(
            label=_("Allow a private address"),
            required=False,
            help_text=_(
                "Only for your own server on this computer or your local network (for example "
                "a local Telegram Bot API server). Leave off for public services."
            ),
        )

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "name"}
