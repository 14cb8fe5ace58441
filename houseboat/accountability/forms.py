from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houseboat.accountability.constants import (
    STATES,
    Decision,
    Progress,
    Response,
    TermKind,
    Verdict,
    Visibility,
)
from houseboat.accountability.models import Cluster, Demand, Target, Term


class DateInput(forms.DateInput):
    input_type = "date"


class DemandForm(forms.ModelForm):
    """A demand's details. Contributors cannot make a demand public; reviewers can."""

    targets = forms.CharField(
        label=_("Targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One authority a line: a person, an office or an institution. The first is the lead."
        ),
    )
    related = forms.ModelMultipleChoiceField(
        queryset=Demand.objects.none(), required=False, label=_("Related demands")
    )
    origin_sha256 = forms.CharField(
        label=_("Origin: the archive item's SHA-256"),
        required=False,
        help_text=_("Where the demand was made: copy it from the item's custody page."),
    )

    class Meta:
        model = Demand
        fields = [
            "ref",
            "title",
            "text",
            "kind",
            "made_by",
            "raised_on",
            "deadline",
            "deadline_kind",
            "specificity",
            "themes",
            "groups",
            "clusters",
            "visibility",
            "draft",
            "origin_quote",
            "monitor_terms",
        ]
        widgets = {
            "raised_on": DateInput(),
            "deadline": DateInput(),
            "text": forms.Textarea(attrs={"rows": 4}),
            "origin_quote": forms.Textarea(attrs={"rows": 2}),
            "monitor_terms": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
            "clusters": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "monitor_terms": _(
                "One word or phrase a line, in every language you follow. The targets' names "
                "and accounts are watched too."
            ),
            "draft": _("Drafts stay off the public tracker whatever their visibility."),
        }

    def __init__(self, *args, campaign, may_publish: bool, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        team = campaign.team
        self.campaign = campaign
        self.fields["themes"].queryset = Term.objects.filter(team=team, kind=TermKind.THEME)
        self.fields["groups"].queryset = Term.objects.filter(team=team, kind=TermKind.GROUP)
        self.fields["clusters"].queryset = Cluster.objects.filter(team=team)
        others = visible if visible is not None else Demand.objects.filter(campaign=campaign)
        self.initial.setdefault("origin_sha256", self.instance.origin_sha256)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial["related"] = list(self.instance.related.values_list("pk", flat=True))
            links = self.instance.target_links.select_related("target").order_by("-lead", "pk")
            self.initial["targets"] = "\n".join(link.target.name for link in links)
        self.fields["related"].queryset = others
        if not may_publish:
            self.fields["visibility"].choices = [
                c for c in Visibility.choices if c[0] != Visibility.PUBLIC
            ]
            self.fields["visibility"].help_text = _("An editor or owner makes a demand public.")

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip()
        clash = Demand.objects.filter(campaign=self.campaign, ref=ref).exclude(pk=self.instance.pk)
        if ref and clash.exists():
            raise forms.ValidationError(_("Another demand of this campaign has this reference."))
        return ref

    def target_names(self) -> list[str]:
        return [n.strip() for n in self.cleaned_data["targets"].splitlines() if n.strip()]


def state_choices():
    return [("", _("Choose…"))] + [(k, v) for k, v in STATES.items()]


class ChangeForm(forms.Form):
    """Record a status change: a progress or a verdict, why, when, and the evidence."""

    state = forms.ChoiceField(label=_("New status"), choices=state_choices)
    linked = forms.MultipleChoiceField(
        label=_("Evidence already linked to this demand"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    happened_on = forms.DateField(
        label=_("When it happened"), widget=DateInput(), initial=timezone.localdate
    )
    rationale = forms.CharField(
        label=_("Why (required)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, and how you know. The public tracker shows this text."),
    )
    evidence = forms.CharField(
        label=_("Evidence: archive items' SHA-256"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line, or tick the demand's evidence above. A verdict needs one."),
    )
    public_excerpt = forms.CharField(
        label=_("Excerpt the public may read"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A redacted quote of the evidence. Leave empty to show only its hash."),
    )

    def __init__(self, *args, demand=None, **kwargs):
        super().__init__(*args, **kwargs)
        links = list(demand.evidence.select_related("item")) if demand else []
        choices = {
            link.sha256: f"{(link.excerpt or link.sha256)[:90]} ({link.sha256[:12]}…)"
            for link in links
        }
        if choices:
            self.fields["linked"].choices = list(choices.items())
        else:
            del self.fields["linked"]

    def axis(self) -> dict[str, str]:
        state = self.cleaned_data["state"]
        return {"verdict": state} if state in Verdict.values else {"progress": state}

    def evidence_refs(self) -> list[str]:
        typed = [r.strip() for r in self.cleaned_data["evidence"].split() if r.strip()]
        return list(dict.fromkeys([*self.cleaned_data.get("linked", []), *typed]))


class ResponseForm(forms.Form):
    response = forms.ChoiceField(label=_("What they answered"), choices=Response.choices)
    responded_on = forms.DateField(label=_("When"), required=False, widget=DateInput())
    quote = forms.CharField(
        label=_("Their words"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=_("Evidence: archive items' SHA-256"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def evidence_refs(self) -> list[str]:
        return [r.strip() for r in self.cleaned_data["evidence"].split() if r.strip()]


class EvidenceForm(forms.Form):
    sha256 = forms.CharField(label=_("Archive item's SHA-256"))
    excerpt = forms.CharField(
        label=_("Excerpt"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    public_excerpt = forms.CharField(
        label=_("Excerpt the public may read"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    note = forms.CharField(required=False, max_length=1000)


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    target = forms.ModelChoiceField(
        label=_("Target"), required=False, queryset=Target.objects.none(), empty_label=_("Any")
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), required=False, queryset=Term.objects.none(), empty_label=_("Any")
    )
    deadline = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any")),
            ("overdue", _("Passed")),
            ("soon", _("In the next 30 days")),
            ("later", _("Later")),
            ("none", _("No deadline")),
        ],
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *list(STATES.items())]
        self.fields["target"].queryset = Target.objects.filter(team=team)
        self.fields["theme"].queryset = Term.objects.filter(team=team, kind=TermKind.THEME)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("A CSV file"),
        help_text=_(
            "houseboat's own CSV (ref,title,text,kind,target,deadline), a UPR Info database "
            "export, or an export of the UN Universal Human Rights Index. Nothing is stored "
            "until you have seen the preview."
        ),
    )


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["kind", "name", "parent"]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["parent"].queryset = Term.objects.filter(team=team, parent__isnull=True)
        self.fields["parent"].required = False

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        if parent and parent.kind != data.get("kind"):
            raise forms.ValidationError(_("A term sits under a term of the same vocabulary."))
        return data


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["name", "kind", "handles"]
        widgets = {"handles": forms.Textarea(attrs={"rows": 2})}


class ClusterForm(forms.ModelForm):
    class Meta:
        model = Cluster
        fields = ["name"]


PROGRESS_VALUES = Progress.values
