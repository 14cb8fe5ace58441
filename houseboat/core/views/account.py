"""A person's own security: two-factor sign-in, recovery codes, sessions, password."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from houseboat.core import notices
from houseboat.core.constants import AuditAction
from houseboat.core.forms import (
    ChangePasswordForm,
    DigitsForm,
    EnrolTokenForm,
    NoticeEmailForm,
    PasswordCheckForm,
)
from houseboat.core.models import UserSession
from houseboat.core.otp import check_code, wait_message
from houseboat.core.services import audit, end_sessions, revoke_sessions

RECOVERY_CODES = 10


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    """Show 2FA status, signed-in browsers and the password form."""
    return render_security(request, ChangePasswordForm(request.user))


def render_security(
    request: HttpRequest,
    password_form: ChangePasswordForm,
    notices_form: NoticeEmailForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "core/security.html",
        {
            "has_2fa": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
            "sessions": UserSession.objects.filter(user=request.user),
            "current_key": request.session.session_key,
            "password_form": password_form,
            "disable_form": PasswordCheckForm(request.user),
            "notices_form": notices_form or NoticeEmailForm(initial={"email": request.user.email}),
            "mail_enabled": notices.enabled(),
            "digits_form": DigitsForm(instance=request.user),
        },
        status=400 if password_form.errors or (notices_form and notices_form.errors) else 200,
    )


@never_cache  # the secret and the recovery codes must not stay in a browser's cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: show the QR code, confirm with a first code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("core:security")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = EnrolTokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = check_code(user, form.cleaned_data["token"], devices=[device])
        if check.device is not None:
            codes = confirm_two_factor(request, device)
            return render(request, "core/recovery_codes.html", {"codes": codes})
        if check.wait_seconds:
            status = 429
            form.add_error("token", wait_message(check.wait_seconds))
        else:
            form.add_error(
                "token", _("That code is not right. Check the time on your phone and try again.")
            )
    secret = device.bin_key
    return render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308 (SVG we drew ourselves)
            "secret": _base32(secret),
        },
        status=400 if form.errors and status == 200 else status,
    )


@transaction.atomic
def confirm_two_factor(request: HttpRequest, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator, issue fresh recovery codes and mark this session verified."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=request.user).delete()
    static = StaticDevice.objects.create(user=request.user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    otp_login(request, device)
    audit(AuditAction.TWO_FACTOR_ENABLED, request=request)
    return codes


@sensitive_post_parameters("password")
@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordCheckForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, _("Two-factor sign-in is still on: the password was wrong."))
        return redirect("core:security")
    TOTPDevice.objects.filter(user=request.user).delete()
    StaticDevice.objects.filter(user=request.user).delete()
    audit(AuditAction.TWO_FACTOR_DISABLED, request=request)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("core:security")


@sensitive_post_parameters()
@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST)
    if form.is_valid():
        form.save()
        old_key = request.session.session_key
        update_session_auth_hash(request, form.user)  # gives this browser a new session key
        UserSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )
        revoke_sessions(request.user, keep=request.session.session_key)
        audit(AuditAction.PASSWORD_CHANGED, request=request)
        messages.success(request, _("Password changed. Your other sessions were signed out."))
        return redirect("core:security")
    return render_security(request, form)


@login_required
@require_POST
def session_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out one browser (not this one: use Sign out for that)."""
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    if session.session_key == request.session.session_key:
        messages.info(request, _("To end this session, use Sign out."))
        return redirect("core:security")
    end_sessions(UserSession.objects.filter(pk=session.pk))
    audit(AuditAction.SESSIONS_REVOKED, request=request, detail="one other session")
    messages.success(request, _("That session is signed out."))
    return redirect("core:security")


@login_required
@require_POST
def sessions_revoke_all(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere else, keeping this browser signed in."""
    count = revoke_sessions(request.user, keep=request.session.session_key)
    audit(AuditAction.SESSIONS_REVOKED, request=request, detail=f"{count} other sessions")
    messages.success(request, _("Signed out of every other browser."))
    return redirect("core:security")


def _base32(secret: bytes) -> str:
    text = b32encode(secret).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_POST
def notice_email(request: HttpRequest) -> HttpResponse:
    """Keep (or remove) the address the worker tells this person at that something waits."""
    form = NoticeEmailForm(request.POST)
    if not form.is_valid():
        return render_security(request, ChangePasswordForm(request.user), form)
    request.user.email = form.cleaned_data["email"]
    request.user.save(update_fields=["email"])
    if request.user.email:
        messages.success(request, _("Saved. E-mails say only that something waits, never what."))
    else:
        messages.success(request, _("Removed. houseboat will not e-mail you."))
    return redirect("core:security")


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language; a signed-in person keeps it on their account."""
    response = set_language(request)
    chosen = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and chosen in dict(settings.LANGUAGES)
        and chosen != request.user.language
    ):
        request.user.language = chosen
        request.user.save(update_fields=["language"])
    return response


@login_required
@require_POST
def choose_digits(request: HttpRequest) -> HttpResponse:
    """Keep the digits this person reads numbers and dates in."""
    form = DigitsForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved. Numbers and dates use these digits on every page."))
    else:
        messages.error(request, _("Choose one of the digits offered."))
    return redirect(reverse("core:security") + "#digits")
