"""The form that adds a press source (the page and ``houseboat press add`` both use it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from houseboat.radar.constants import SourceKind
from houseboat.radar.models import PressSource


class PressSourceForm(forms.ModelForm):
    collection_name = forms.CharField(
        label=_("Collection"),
        required=False,
        max_length=120,
        help_text=_("A group of sources read together, e.g. “State media”. Made if new."),
    )
    feed_url = forms.URLField(
        label=_("feed address"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("The address of the RSS or Atom feed, not of the web page."),
    )
    site_url = forms.URLField(
        label=_("site address"), max_length=1000, required=False, assume_scheme="https"
    )

    class Meta:
        model = PressSource
        fields = ["name", "feed_url", "site_url", "country", "language", "kind"]
        help_texts = {
            "country": _("Two letters (ISO 3166), e.g. FR. Optional."),
            "language": _("Two letters (ISO 639-1), e.g. ar. Optional: guessed per story."),
        }

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["kind"].initial = SourceKind.OTHER

    def clean_country(self) -> str:
        value = self.cleaned_data["country"].strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code, e.g. FR."))
        return value

    def clean_language(self) -> str:
        value = self.cleaned_data["language"].strip().lower()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Use the two-letter language code, e.g. ar."))
        return value

    def clean_feed_url(self) -> str:
        url = self.cleaned_data["feed_url"].strip()
        if (
            self.team is not None
            and PressSource.objects.filter(team=self.team, feed_url=url).exists()
        ):
            raise forms.ValidationError(_("The team already follows this feed."))
        return url
