"""Template tags for pages that show graphic media: the break banner."""

from django import template

from houseboat.safety.alerts import explain
from houseboat.safety.graphic import exposure_today

register = template.Library()


@register.inclusion_tag("safety/break_banner.html", takes_context=True)
def graphic_break_banner(context: template.Context) -> dict:
    """Render the suggestion to take a break when the member is past the team's daily limit.

    Also renders an empty, hidden banner that graphic.js fills in when the
    limit is reached while the page is open.
    """
    request = context.get("request")
    team = context.get("team")
    user = getattr(request, "user", None)
    if team is None or user is None or not user.is_authenticated:
        return {"exposure": None}
    return {"exposure": exposure_today(team, user)}


@register.filter
def explain_match(match: dict) -> str:
    """Explain a stored alert match in the reader's language."""
    if not isinstance(match, dict):
        return ""
    return explain(match) if "source" in match else str(match.get("explanation", ""))
