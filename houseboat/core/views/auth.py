"""Sign in (password, then the second factor if set up), sign out, lock-outs."""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from houseboat.core.constants import AuditAction
from houseboat.core.forms import LoginForm, TokenForm
from houseboat.core.otp import check_code, wait_message
from houseboat.core.services import audit

PENDING_KEY = "houseboat_pending_login"
PENDING_SECONDS = 300


def is_loopback(request: HttpRequest) -> bool:
    return request.get_host().split(":")[0] in {"127.0.0.1", "localhost", "[::1]"}


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Check the password; hand over to the code step if the user has 2FA."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    # A Secure cookie is never sent back over plain HTTP: say so instead of failing silently.
    insecure = (
        settings.SESSION_COOKIE_SECURE and not request.is_secure() and not is_loopback(request)
    )
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            form.add_error(None, _("Wrong username or password."))
        elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}
            query = urlencode({"next": safe_next(request)})
            return redirect(f"{reverse('core:login_verify')}?{query}")
        else:
            login(request, user)
            return redirect(safe_next(request))
    return render(
        request,
        "core/login.html",
        {"form": form, "next": safe_next(request), "insecure_transport": insecure},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the authenticator code or a recovery code."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please enter your username and password again."))
        return redirect("core:login")
    user = get_user_model().objects.get(pk=pending["user"])
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = check_code(user, form.cleaned_data["token"])
        device = check.device
        if check.wait_seconds:
            status = 429
            form.add_error("token", wait_message(check.wait_seconds))
        elif device is None:
            audit(AuditAction.TWO_FACTOR_FAILED, request=request, actor=user)
            form.add_error("token", _("That code is not right. Codes change every 30 seconds."))
        else:
            del request.session[PENDING_KEY]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            django_otp.login(request, device)
            return redirect(safe_next(request))
    return render(
        request,
        "core/login_verify.html",
        {"form": form, "next": safe_next(request)},
        status=400 if form.errors and status == 200 else status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("core:login")


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """Answer a locked-out sign-in (called by django-axes too)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit(AuditAction.LOGIN_LOCKED, request=request, actor=user, target=username if user else "")
    return render(
        request,
        "core/locked_out.html",
        {"minutes": minutes},
        status=429,
    )
