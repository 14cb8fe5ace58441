import re

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign, SitePost

HASHTAG = re.compile(r"^\w+$")


class LinesField(forms.CharField):
    """A textarea whose non-empty lines become a list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class HashtagsField(LinesField):
    """Hashtags one per line or separated by spaces or commas; the # is optional."""

    def to_python(self, value) -> list[str]:
        text = forms.CharField.to_python(self, value) or ""
        tags = [tag.lstrip("#") for tag in re.split(r"[\s,]+", text) if tag.strip("#")]
        seen: dict[str, str] = {}
        for tag in tags:
            seen.setdefault(tag.casefold(), tag)
        return list(seen.values())

    def prepare_value(self, value):
        if isinstance(value, list):
            return " ".join(f"#{tag}" for tag in value)
        return value

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        bad = [tag for tag in value if not HASHTAG.match(tag)]
        if bad:
            raise forms.ValidationError(
                _("These are not hashtags (letters, digits and _ only): %(tags)s"),
                params={"tags": ", ".join(f"#{tag}" for tag in bad)},
            )


class CampaignForm(forms.ModelForm):
    slug = forms.SlugField(
        label=_("Web address"),
        required=False,
        allow_unicode=False,
        help_text=_("Leave empty to make one from the name. Appears in /c/<web address>/."),
    )
    goals = LinesField(label=_("Goals"), help_text=_("One per line."))
    hashtags = HashtagsField(
        label=_("Hashtags"), help_text=_("For example: #FreeThemAll #PressFreedom")
    )
    key_messages = LinesField(
        label=_("Key messages"), help_text=_("One per line. Internal: not shown publicly.")
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "summary",
            "goals",
            "hashtags",
            "key_messages",
            "starts_on",
            "ends_on",
            "site_public",
            "site_language",
            "site_second_language",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_slug(self) -> str:
        name = self.cleaned_data.get("name")
        slug = self.cleaned_data.get("slug") or slugify(name or "")
        if not slug and not name:
            return ""  # "This field is required" under the name says it all.
        if not slug:
            raise forms.ValidationError(_("Give a web address of letters, numbers and dashes."))
        others = Campaign.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if self.team is not None and others.filter(team=self.team).exists():
            raise forms.ValidationError(
                _("The web address “%(slug)s” is taken. Choose another."), params={"slug": slug}
            )
        return slug

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The team the campaign belongs to: addresses are unique within it.
        if team is not None and not self.instance.team_id:
            self.instance.team = team
        self.team = self.instance.team if self.instance.team_id else None
        # A script or an older form that leaves the language out keeps the one set.
        self.fields["site_language"].required = False

    def clean_site_language(self) -> str:
        return self.cleaned_data.get("site_language") or self.instance.site_language or "en"

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        slug = cleaned.get("slug")
        if slug and cleaned.get("site_public") and self._public_elsewhere(slug):
            # Public pages are public: naming one reveals nothing.
            self.add_error(
                "slug",
                _(
                    "/c/%(slug)s/ is the public page of another campaign. Choose another web "
                    "address, or keep this campaign's page off."
                )
                % {"slug": slug},
            )
        return cleaned

    def _public_elsewhere(self, slug: str) -> bool:
        others = Campaign.objects.filter(slug=slug, site_public=True).exclude(pk=self.instance.pk)
        if self.team is not None:
            others = others.exclude(team=self.team)  # the team's own: "taken" said it
        return others.exists()


class SitePostForm(forms.ModelForm):
    class Meta:
        model = SitePost
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
