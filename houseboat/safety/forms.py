"""Forms of the safety pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from houseboat.safety.constants import GraphicRuleKind, ProtectedKind, TermKind
from houseboat.safety.models import SafetySettings
from houseboat.safety.text import fold


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked as a FileField would check one."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,video/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RiskCheckForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the post"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    media = MultipleFileField(
        label=_("Pictures or videos"),
        required=False,
        help_text=_("Checked, then deleted: nothing is kept. Faces take a few seconds per photo."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("text", "").strip() and not data.get("media"):
            raise forms.ValidationError(_("Paste the text of a post or choose a picture."))
        return data


class DoNotNameForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_(
            "As it would be written in a post. Add each spelling in another alphabet "
            "as its own entry (for example Arabic and Latin letters)."
        ),
    )
    note = forms.CharField(
        label=_("Why (shown to the author of a post that names them)"),
        max_length=300,
        required=False,
    )

    def __init__(self, *args, existing: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.existing = {fold(name).strip() for name in existing}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not fold(name).strip():
            raise forms.ValidationError(_("Type a name with at least one letter."))
        if fold(name).strip() in self.existing:
            raise forms.ValidationError(_("This name is already on the list."))
        return name


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Every language")), *settings.LANGUAGES]


class AlertTermForm(forms.Form):
    term = forms.CharField(
        label=_("Word or phrase"),
        max_length=200,
        help_text=_(
            "Matched as whole words, whatever the case, accents or Arabic vowel marks. "
            "End a word with * to match every ending (threat* finds threats, threatening)."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TermKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_term(self) -> str:
        term = " ".join(self.cleaned_data["term"].split())
        if len(fold(term).replace("*", "").strip()) < 2:
            raise forms.ValidationError(_("Type at least two letters."))
        return term


class ProtectedDetailForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProtectedKind.choices)
    label = forms.CharField(
        label=_("Whose, in a word"),
        max_length=100,
        help_text=_("For example “Amina, mobile”. Shown in alerts."),
    )
    value = forms.CharField(
        label=_("The detail"),
        max_length=300,
        help_text=_(
            "A phone number with or without the country code; an address as a stranger "
            "would write it (house number and street)."
        ),
    )

    def clean(self) -> dict:
        data = super().clean()
        value, kind = data.get("value", ""), data.get("kind")
        digits = sum(ch.isdecimal() for ch in value)
        if kind == ProtectedKind.PHONE and digits < 7:
            self.add_error("value", _("A phone number has at least 7 digits."))
        if kind == ProtectedKind.EMAIL and "@" not in value:
            self.add_error("value", _("An e-mail address has an @."))
        if kind in (ProtectedKind.ADDRESS, ProtectedKind.OTHER) and len(fold(value).split()) < 1:
            self.add_error("value", _("Type the words to look for."))
        return data


class SafetySettingsForm(forms.ModelForm):
    class Meta:
        model = SafetySettings
        fields = ["graphic_daily_limit"]
        widgets = {"graphic_daily_limit": forms.NumberInput(attrs={"min": 0, "max": 500})}


class GraphicRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rule"), choices=GraphicRuleKind.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=200,
        help_text=_("A hashtag (with or without #), a word or phrase, or a column's name."),
    )

    def clean_value(self) -> str:
        value = " ".join(self.cleaned_data["value"].split())
        if self.cleaned_data.get("kind") == GraphicRuleKind.HASHTAG:
            value = value.lstrip("#")
        if not value:
            raise forms.ValidationError(_("Type what the rule looks for."))
        return value


class GraphicMarkForm(forms.Form):
    media_sha256 = forms.RegexField(regex=r"^[0-9a-fA-F]{64}$", max_length=64)
    reason = forms.CharField(max_length=200, required=False)
    next = forms.CharField(max_length=500, required=False)

    def clean_media_sha256(self) -> str:
        return self.cleaned_data["media_sha256"].lower()


class LockdownForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the team's short name to confirm"),
        max_length=60,
    )

    def __init__(self, *args, team_slug: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team_slug = team_slug

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed != self.team_slug:
            raise forms.ValidationError(_("That is not the team's short name: nothing was done."))
        return typed
