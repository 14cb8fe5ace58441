from django import forms
from django.contrib.auth.forms import PasswordChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from houseboat.core.constants import ROLE_DESCRIPTIONS, Digits, Role
from houseboat.core.models import Invitation, Team, User


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class TokenForm(forms.Form):
    """A six-digit authenticator code, or one of the printed recovery codes."""

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or a recovery code."),
    )
    # Recovery codes have letters: a phone must show its full keyboard here.
    inputmode = "text"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update(
            autocomplete="one-time-code", inputmode=self.inputmode, autofocus=True
        )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class EnrolTokenForm(TokenForm):
    """The first code from a newly added authenticator (no recovery codes exist yet)."""

    inputmode = "numeric"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].help_text = _("The 6 digits the app shows now, without spaces.")


class ChangePasswordForm(PasswordChangeForm):
    """Django's form, without jumping to it: it sits at the bottom of a long page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


def role_choices_with_help():
    return [(role.value, f"{role.label}: {ROLE_DESCRIPTIONS[role]}") for role in Role]


class InvitationForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=_("Role"), choices=role_choices_with_help, initial=Role.CONTRIBUTOR
    )

    class Meta:
        model = Invitation
        fields = ["note", "role"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TeamSecurityForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["require_2fa"]


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug"]


class JoinForm(UserCreationForm):
    """Create the account of a person who follows an invitation link."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username"]
        help_texts = {
            "username": _(
                "What your teammates will see. A nickname is fine: it does not have to be your name."
            )
        }


class PasswordCheckForm(forms.Form):
    """Ask again for the password before a sensitive change."""

    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class NoticeEmailForm(forms.Form):
    """Where a person wants to hear that something waits for them (empty: nowhere)."""

    email = forms.EmailField(
        label=_("E-mail address for notices"),
        required=False,
        help_text=_(
            "houseboat e-mails you when a post waits for your approval, a safety alert is "
            "open or a check-in of yours is due: only that something waits, with a link. "
            "Leave empty for no e-mails. Use an address only you read."
        ),
    )


class DigitsForm(forms.ModelForm):
    """Which digits a person reads numbers and dates in (houseboat.core.digits)."""

    class Meta:
        model = User
        fields = ["digits"]
        widgets = {"digits": forms.RadioSelect}
        labels = {"digits": _("Digits")}
        help_texts = {
            "digits": _(
                "How numbers and dates are written on your pages. The language's usual: "
                "Persian digits on Persian pages, Western digits on all others."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A model field with blank=True offers a "---------" choice; here "" already
        # has a name: the language's usual digits.
        self.fields["digits"].choices = Digits.choices
        self.fields["digits"].required = False
