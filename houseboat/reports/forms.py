from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from houseboat.reports.jobs import check_period
from houseboat.reports.models import Outcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """The days a report covers, both included."""

    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (problem := check_period(start, end)):
            self.add_error("end", _(problem))
        return data

    @classmethod
    def last_days(cls, days: int = 30) -> PeriodForm:
        today = date.today()
        return cls(initial={"start": today - timedelta(days=days - 1), "end": today})


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["actor", "change", "happened_on", "contribution", "confirmed_by"]
        widgets = {
            "happened_on": DATE,
            "change": forms.Textarea(attrs={"rows": 3}),
            "contribution": forms.Textarea(attrs={"rows": 3}),
            "confirmed_by": forms.Textarea(attrs={"rows": 2}),
        }
