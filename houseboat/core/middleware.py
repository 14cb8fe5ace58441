from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from houseboat.core import digits
from houseboat.core.models import Team, UserSession

LAST_SEEN_EVERY = timedelta(minutes=5)

# Pages a signed-in person must reach even before finishing 2FA set-up.
OPEN_PREFIXES = ("/static/", "/healthz", "/c/", "/i18n/")


class SessionTrackingMiddleware:
    """End sessions that were signed out elsewhere, and note when each was last used."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            key = request.session.session_key
            tracked = UserSession.objects.filter(session_key=key).only("last_seen_at").first()
            if tracked is None:
                logout(request)
                return redirect_to_login(request, _("You were signed out. Please sign in again."))
            now = timezone.now()
            if now - tracked.last_seen_at > LAST_SEEN_EVERY:
                UserSession.objects.filter(pk=tracked.pk).update(last_seen_at=now)
        return self.get_response(request)


class AccountLanguageMiddleware:
    """Speak the language a signed-in person chose, whichever browser they use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "")
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class DigitsMiddleware:
    """Show numbers and dates in the digits a signed-in person chose (core.digits)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = digits.activate(getattr(request.user, "digits", ""))
        try:
            return self.get_response(request)
        finally:
            digits.reset(token)


class TwoFactorMiddleware:
    """Enforce two-factor sign-in.

    A user with an authenticator must have used it in this session; a member of
    a team that requires 2FA must set one up before doing anything else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if has_device and not user.is_verified():
            logout(request)
            return redirect_to_login(request, _("Please sign in with your two-factor code."))
        setup_paths = (reverse("core:two_factor"), reverse("core:logout"))
        if (
            not has_device
            and request.path not in setup_paths
            and Team.objects.filter(memberships__user=user, require_2fa=True).exists()
        ):
            messages.warning(
                request,
                _(
                    "Your team requires two-factor sign-in. Set up an authenticator app to continue."
                ),
            )
            return redirect("core:two_factor")
        return self.get_response(request)


def redirect_to_login(request, message: str):
    messages.info(request, message)
    return redirect("core:login")
