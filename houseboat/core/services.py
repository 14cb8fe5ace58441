"""Small services other apps call: the audit log, sessions, client addresses."""

import ipaddress

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest

from houseboat.core.models import AuditEvent, Team, User, UserSession


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client's address, trusting X-Forwarded-For only behind known proxies."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    team: Team | None = None,
    target: object = "",
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit log.

    The actor defaults to the signed-in user of the request. Commands run from
    the shell pass no request and are recorded with no address.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        team=team,
        actor=actor,
        actor_label=actor.get_username() if actor else "",
        target=str(target)[:200],
        detail=detail[:300],
        ip_address=client_ip(request),
    )


def end_sessions(rows) -> int:
    """Sign out the browsers behind these UserSession rows; return how many."""
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def revoke_sessions(user: User, *, keep: str | None = None) -> int:
    """Sign the user out of every browser but the one whose session key is `keep`."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    return end_sessions(rows)
