"""Keep the session list and the audit log in step with sign-ins and sign-outs."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from houseboat.core.constants import AuditAction
from houseboat.core.models import UserSession
from houseboat.core.services import audit, client_ip


@receiver(user_logged_in)
def track_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
            "last_seen_at": timezone.now(),
        },
    )
    audit(AuditAction.LOGIN, request=request, actor=user)


@receiver(user_logged_out)
def track_logout(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    UserSession.objects.filter(session_key=request.session.session_key).delete()
    audit(AuditAction.LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def track_failed_login(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    user = get_user_model().objects.filter(username=username).first() if username else None
    # A username that matches no account may be a password typed in the wrong box:
    # it is never written down.
    audit(
        AuditAction.LOGIN_FAILED,
        request=request,
        actor=user,
        target=username if user else "an unknown account",
    )
