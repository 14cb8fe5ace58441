"""Forms of the organising pages and of the public pages of calls to action."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from houseboat.organizing import services
from houseboat.organizing.constants import (
    HANDLE_NETWORKS,
    ActionKind,
    ContactChannel,
    ResponseKind,
)
from houseboat.organizing.models import CallToAction

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


class SupporterForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=services.MAX_NAME,
        help_text=gettext_lazy("A nickname is enough, and safer: it is all the team needs."),
    )
    handles = forms.CharField(
        label=gettext_lazy("Handles, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "whatsapp:+447700900123\nx:@name"}),
        # Lazy, so the help is translated when the form is shown, not when it is imported.
        help_text=lazy(
            lambda: (
                gettext("NETWORK:HANDLE — networks: %(n)s.") % {"n": ", ".join(HANDLE_NETWORKS)}
            ),
            str,
        )(),
    )
    consent = forms.MultipleChoiceField(
        label=gettext_lazy("They agreed to be contacted on"),
        choices=ContactChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wording = forms.CharField(
        label=gettext_lazy("The words they agreed to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    language = forms.CharField(label=gettext_lazy("Language"), max_length=16, required=False)
    area = forms.CharField(
        label=gettext_lazy("Area"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("A neighbourhood or town in words. Never a map position."),
    )
    tags = forms.CharField(label=gettext_lazy("Tags"), required=False, max_length=400)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            handles = dict(
                services.parse_handle(line)
                for line in data.get("handles", "").splitlines()
                if line.strip()
            )
            data["new"] = services.NewSupporter(
                name=data["name"],
                handles=handles,
                consents=data.get("consent") or [],
                language=data.get("language", ""),
                area=data.get("area", ""),
                tags=split_list(data.get("tags", "")),
                notes=data.get("notes", ""),
            ).checked()
        except services.SupporterError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class ConsentForm(forms.Form):
    """Consent recorded after the fact: the person agreed, say how and to what words."""

    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=ContactChannel.choices)
    handle = forms.CharField(
        label=gettext_lazy("Their number, chat id or address on it"),
        required=False,
        max_length=services.MAX_HANDLE,
        help_text=gettext_lazy("Leave empty if it is already among their handles."),
    )
    source = forms.CharField(
        label=gettext_lazy("How they agreed"),
        max_length=200,
        help_text=gettext_lazy("For example: “said yes at the vigil stall, 3 December”."),
    )
    wording = forms.CharField(
        label=gettext_lazy("The words they agreed to"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CSVUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    wording = forms.CharField(
        label=gettext_lazy("The words these people agreed to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MappingForm(forms.Form):
    """Which column of the file holds each of houseboat's fields."""

    def __init__(self, header: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —"))] + [(h, h) for h in header]
        lower = {h.lower(): h for h in header}
        labels = {
            "name": _("Display name"),
            "handles": _("Handles (NETWORK:HANDLE; …)"),
            "consent": _("Consent (whatsapp; telegram; email)"),
            "language": _("Language"),
            "area": _("Area"),
            "tags": _("Tags"),
        }
        for field, label in labels.items():
            self.fields[field] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=field == "name",
                initial=lower.get(field, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ActionForm(forms.ModelForm):
    target_url = forms.URLField(
        label=gettext_lazy("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("The donation page, or what to share."),
    )

    class Meta:
        model = CallToAction
        fields = [
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "place_private",
            "capacity",
            "target_url",
            "goal",
            "is_open",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if kind == ActionKind.EVENT and not starts:
            self.add_error("starts_at", _("An event needs a start time."))
        if kind == ActionKind.EVENT and not data.get("place") and not data.get("place_private"):
            self.add_error(
                "place", _("Give the place, or tick “shared privately” to keep it off the page.")
            )
        if kind == ActionKind.DONATION and not data.get("target_url"):
            self.add_error("target_url", _("A donation ask needs the link of the donation page."))
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("It cannot end before it starts."))
        url = data.get("target_url") or ""
        if url and not url.lower().startswith(("https://", "http://")):
            self.add_error("target_url", _("The link must start with https://."))
        return data


class LinkForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    source = forms.CharField(
        label=gettext_lazy("Or a place"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("For a poster, a newsletter or a partner's site."),
    )
    post = forms.ChoiceField(label=gettext_lazy("Post"), required=False)
    label = forms.CharField(label=gettext_lazy("Label"), required=False, max_length=120)

    def __init__(self, channels, posts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel_objects = {str(c.pk): c for c in channels}
        self.post_objects = {str(p.pk): p for p in posts}
        self.fields["channel"].choices = [("", "—")] + [(str(c.pk), str(c)) for c in channels]
        self.fields["post"].choices = [("", "—")] + [(str(p.pk), p.text[:60]) for p in posts]

    def clean(self):
        data = super().clean()
        data["channel_obj"] = self.channel_objects.get(data.get("channel") or "")
        data["post_obj"] = self.post_objects.get(data.get("post") or "")
        if not data["channel_obj"] and not data.get("source", "").strip():
            raise forms.ValidationError(_("Choose a channel, or name where the link will go."))
        return data


class RecordResponseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What they did"), choices=ResponseKind.choices)
    supporter = forms.IntegerField(
        label=gettext_lazy("Supporter number"), required=False, min_value=1
    )
    link = forms.CharField(label=gettext_lazy("Link code"), required=False, max_length=16)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), required=False, min_value=0, decimal_places=2
    )
    currency = forms.CharField(label=gettext_lazy("Currency"), required=False, max_length=3)

    def clean(self):
        data = super().clean()
        if data.get("kind") == ResponseKind.DONATED:
            if not data.get("amount"):
                self.add_error("amount", _("A donation needs its amount."))
            currency = (data.get("currency") or "").upper()
            if len(currency) != 3 or not currency.isalpha():
                self.add_error("currency", _("A three-letter code, like EUR or USD."))
            data["currency"] = currency
        return data


class PaymentUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Payment file (CSV)"))


class LadderForm(forms.Form):
    rungs = forms.CharField(
        label=gettext_lazy("Rungs, lowest first"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=gettext_lazy(
            "One a line: NAME: KINDS x COUNT, for example “Volunteer: volunteered x 1”. "
            "The first line is everyone. Kinds: rsvp, attended, signed, donated, volunteered, shared."
        ),
    )

    def clean_rungs(self):
        lines = [line.strip() for line in self.cleaned_data["rungs"].splitlines() if line.strip()]
        if len(lines) < 2 or len(lines) > 10:
            raise forms.ValidationError(_("A ladder has between 2 and 10 rungs."))
        rungs = [(lines[0].split(":")[0].strip()[:60], [], 0)]
        for line in lines[1:]:
            name, _sep, rule = line.partition(":")
            kinds_text, _x, count_text = rule.replace("\u00d7", "x").partition("x")
            kinds = [k.strip().lower() for k in kinds_text.split(",") if k.strip()]
            unknown = [k for k in kinds if k not in ResponseKind.values]
            if not name.strip() or not kinds or unknown:
                raise forms.ValidationError(
                    _("“%(line)s”: write NAME: KINDS x COUNT with known kinds.") % {"line": line}
                )
            try:
                count = int(count_text.strip() or "1")
            except ValueError:
                raise forms.ValidationError(
                    _("“%(line)s”: the count must be a number.") % {"line": line}
                ) from None
            rungs.append((name.strip()[:60], kinds, max(1, min(count, 1000))))
        return rungs


class FollowUpForm(forms.Form):
    segment = forms.ChoiceField(label=gettext_lazy("Saved segment"), required=False)
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    rung_min = forms.ChoiceField(label=gettext_lazy("At least on the rung"), required=False)
    rung_max = forms.ChoiceField(label=gettext_lazy("At most on the rung"), required=False)
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=40)
    language = forms.CharField(label=gettext_lazy("Language"), required=False, max_length=16)
    area = forms.CharField(label=gettext_lazy("Area contains"), required=False, max_length=120)
    stalled_days = forms.IntegerField(
        label=gettext_lazy("Stalled for at least (days)"), required=False, min_value=1
    )
    consent = forms.ChoiceField(
        label=gettext_lazy("Send on"),
        required=False,
        choices=[("", gettext_lazy("Every channel each person agreed to"))]
        + [
            (
                value,
                gettext_lazy("Only %(channel)s, to those who agreed to it") % {"channel": label},
            )
            for value, label in ContactChannel.choices
        ],
    )
    save_as = forms.CharField(
        label=gettext_lazy("Save these filters as a segment named"), required=False, max_length=120
    )
    subject = forms.CharField(label=gettext_lazy("E-mail subject"), required=False, max_length=200)
    text = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    whatsapp_template = forms.CharField(
        label=gettext_lazy("WhatsApp template name"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "WhatsApp carries only templates Meta approved: {{1}} gets the message, "
            "{{2}} the unsubscribe link."
        ),
    )
    whatsapp_language = forms.CharField(
        label=gettext_lazy("Template language"), required=False, max_length=16, initial="en"
    )

    WHO = (
        "segment",
        "campaign",
        "rung_min",
        "rung_max",
        "tag",
        "language",
        "area",
        "stalled_days",
        "consent",
        "save_as",
    )
    WHAT = ("subject", "text", "whatsapp_template", "whatsapp_language")

    def __init__(self, campaigns, saved_segments, *args, rungs=(), **kwargs):
        super().__init__(*args, **kwargs)
        rung_choices = [("", "—")] + [(str(r.position), r.name) for r in rungs]
        self.fields["rung_min"].choices = rung_choices
        self.fields["rung_max"].choices = rung_choices
        self.fields["campaign"].choices = [("", "—")] + [(str(c.pk), c.name) for c in campaigns]
        self.fields["segment"].choices = [("", "—")] + [(str(s.pk), s.name) for s in saved_segments]


class PublicAnswerForm(forms.Form):
    """A visitor's answer to an action: a name, maybe a way to hear more, and a honeypot."""

    name = forms.CharField(label=gettext_lazy("Your name or a nickname"), max_length=120)
    email = forms.EmailField(label=gettext_lazy("E-mail (optional)"), required=False)
    keep_me_posted = forms.BooleanField(
        label=gettext_lazy("Send me news of this campaign by e-mail"), required=False
    )
    # Hidden from people by the stylesheet; only robots fill it in.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))
    via = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("keep_me_posted") and not data.get("email"):
            self.add_error("email", _("Give an e-mail address to get news."))
        return data


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name or a nickname"), max_length=120)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    whatsapp = forms.CharField(
        label=gettext_lazy("WhatsApp number, with country code"), required=False, max_length=30
    )
    consent = forms.MultipleChoiceField(
        label=gettext_lazy("You may contact me on"),
        choices=[
            (ContactChannel.EMAIL, gettext_lazy("E-mail")),
            (ContactChannel.WHATSAPP, gettext_lazy("WhatsApp")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.CharField(
        label=gettext_lazy("Language you prefer, like en or ar (optional)"),
        required=False,
        max_length=16,
    )
    area = forms.CharField(
        label=gettext_lazy("Town or neighbourhood (optional)"), required=False, max_length=120
    )
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        handles = {}
        if data.get("email"):
            handles["email"] = data["email"]
        if data.get("whatsapp"):
            handles["whatsapp"] = data["whatsapp"]
        try:
            data["new"] = services.NewSupporter(
                name=data["name"],
                handles=handles,
                consents=data.get("consent") or [],
                language=data.get("language", ""),
                area=data.get("area", ""),
            ).checked()
        except services.SupporterError as error:
            raise forms.ValidationError(str(error)) from None
        if not data["new"].consents:
            raise forms.ValidationError(
                _("Tick at least one way we may contact you, and give that address or number.")
            )
        return data
