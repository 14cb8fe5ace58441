"""The archive's search form: the query and its filters, read from the address bar."""

from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from houseboat.campaigns.models import Campaign
from houseboat.connectors.constants import Network
from houseboat.core.daterange import validate_day
from houseboat.listening.importers import get_importer

MEDIA_CHOICES = [
    ("", _("With or without")),
    ("yes", _("Only with media")),
    ("no", _("Only without")),
]


class ArchiveSearchForm(forms.Form):
    """What a person can ask the archive; every field may stay empty."""

    campaign = forms.ChoiceField(label=_("Campaign"))
    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=500,
        help_text=_(
            'All words must appear. "Quotes" for a phrase, OR for either, -word to leave out.'
        ),
    )
    network = forms.ChoiceField(
        label=_("Network"),
        required=False,
        choices=[("", _("All networks")), *Network.choices],
    )
    author = forms.CharField(label=_("Author"), required=False, max_length=255)
    hashtag = forms.CharField(label=_("Hashtag"), required=False, max_length=200)
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],
    )
    media = forms.ChoiceField(label=_("Media"), required=False, choices=MEDIA_CHOICES)
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=16,
        help_text=_("A two-letter code: en, ar, es …"),
    )

    def __init__(self, data, *, campaigns: list[Campaign]):
        super().__init__(data)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date comes before the start date."))
        return cleaned

    def has_media(self) -> bool | None:
        """Return the media filter as the search service takes it."""
        return {"yes": True, "no": False}.get(self.cleaned_data.get("media") or "")


DATE_ORDER_CHOICES = [
    ("", _("Let houseboat tell from the file")),
    ("dmy", _("Day first: 24/11/2026 (most of the world)")),
    ("mdy", _("Month first: 11/24/2026 (phones set to US English)")),
]


class ImportForm(forms.Form):
    """An export file to import: which campaign, which format, the file, and how to read it."""

    campaign = forms.ChoiceField(label=_("Campaign"))
    format = forms.ChoiceField(
        label=_("What kind of file"),
        help_text=_("The list below says which file to choose for each kind."),
    )
    file = forms.FileField(label=_("The file"))
    timezone = forms.CharField(
        label=_("Time zone of the phone or computer (WhatsApp, older Telegram exports)"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "time-zones", "placeholder": "Africa/Cairo"}),
        help_text=_(
            "These files carry local clock times only. Leave empty to read them as UTC; "
            "importing the same file again with its zone corrects the times."
        ),
    )
    date_order = forms.ChoiceField(
        label=_("How the WhatsApp chat writes dates"),
        required=False,
        choices=DATE_ORDER_CHOICES,
        help_text=_("Needed only when no day in the chat is past the 12th."),
    )
    keep_going = forms.BooleanField(
        label=_("Skip unreadable records instead of refusing the whole file"),
        required=False,
        help_text=_("The import then lists what it skipped, why and where."),
    )

    def __init__(self, *args, campaigns: list[Campaign], formats: list[tuple[str, str]], **kw):
        super().__init__(*args, **kw)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]
        self.fields["format"].choices = [("", _("Choose…")), *formats]

    def clean_timezone(self) -> str:
        value = self.cleaned_data.get("timezone", "").strip()
        if value and value not in time_zones():
            raise forms.ValidationError(
                _("houseboat does not know this time zone: choose one such as Africa/Cairo.")
            )
        return value

    def clean(self):
        cleaned = super().clean()
        format = cleaned.get("format") or ""
        if format:
            takes = set(get_importer(format).MANIFEST.get("options", []))
            if cleaned.get("timezone") and "timezone" not in takes:
                self.add_error(
                    "timezone", _("Only WhatsApp chats and Telegram exports need a time zone.")
                )
            if cleaned.get("date_order") and "date_order" not in takes:
                self.add_error("date_order", _("Only WhatsApp chats need the date order."))
        return cleaned

    def options(self) -> dict[str, str]:
        """Return the importer options the person chose (the job keeps them)."""
        data = self.cleaned_data
        return {
            "timezone": data.get("timezone") or "",
            "date_order": data.get("date_order") or "",
            "keep_going": "yes" if data.get("keep_going") else "",
        }


@cache
def time_zones() -> list[str]:
    """Return the names of the time zones this machine knows, sorted."""
    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


SCOPE_CHOICES = [
    ("before", _("Items posted before a date")),
    ("all", _("The whole archive of this campaign")),
]


class RetentionForm(forms.Form):
    """What to purge: the items before a date, or everything, of one campaign."""

    campaign = forms.ChoiceField(label=_("Campaign"))
    scope = forms.ChoiceField(
        label=_("Purge"), choices=SCOPE_CHOICES, widget=forms.RadioSelect, initial="before"
    )
    before = forms.DateField(
        label=_("Cut-off date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Items posted before this day (UTC) are purged; items with no posting time "
            "count by when they were captured. Items of this day and later stay."
        ),
    )

    def __init__(self, *args, campaigns: list[Campaign], **kw):
        super().__init__(*args, **kw)
        self.fields["campaign"].choices = [(c.slug, c.name) for c in campaigns]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "before" and not cleaned.get("before"):
            self.add_error("before", _("Choose the date: items posted before it are purged."))
        if cleaned.get("scope") == "all":
            cleaned["before"] = None
        return cleaned
