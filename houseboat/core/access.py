"""Who may reach what: every team page goes through `team_view`."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from houseboat.core.constants import Capability
from houseboat.core.models import Membership


def membership_for(request: HttpRequest, team_slug: str) -> Membership:
    """Return the signed-in user's membership of the team, or 404.

    A team the user does not belong to answers exactly as one that does not
    exist, so an outsider learns nothing by guessing addresses.
    """
    membership = (
        Membership.objects.select_related("team")
        .filter(team__slug=team_slug, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404(_("No such team."))
    return membership


def require(membership: Membership, capability: str) -> None:
    """Refuse with 403 and a reason a person understands when the role falls short."""
    if not membership.can(capability):
        raise PermissionDenied(
            _("Your role in %(team)s (%(role)s) cannot %(what)s. Ask an owner if you need to.")
            % {
                "team": membership.team.name,
                "role": membership.get_role_display().lower(),
                "what": Capability(capability).label,
            }
        )


def team_view(capability: str = Capability.VIEW) -> Callable:
    """Decorate a view taking `team_slug`: sign-in, membership and capability checks.

    The view receives the request with `request.team` and `request.membership` set.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, team_slug: str, *args, **kwargs) -> HttpResponse:
            membership = membership_for(request, team_slug)
            require(membership, capability)
            request.membership = membership
            request.team = membership.team
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
