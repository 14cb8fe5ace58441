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


@register.inclusion_tag("safety/_faces_link.html", takes_context=True)
def face_check_link(context: template.Context, attachment) -> dict:
    """Link an attached picture to the region editor, saying how many faces are boxed.

    Nothing for a video, a picture attached before the editor existed, or a person
    who may not change the picture (see houseboat.safety.views.regions).
    """
    from houseboat.core.constants import Capability
    from houseboat.safety.models import MediaRegions

    request = context.get("request")
    membership = getattr(request, "membership", None)
    record = MediaRegions.objects.filter(attachment=attachment).first()
    if record is None or membership is None or not record.source_name:
        return {"record": None}
    post = attachment.post
    own_draft = post.author_id == membership.user_id and post.status == "draft"
    if not (membership.can(Capability.PUBLISH) or own_draft):
        return {"record": None}
    return {"record": record, "team": context.get("team"), "attachment": attachment}
