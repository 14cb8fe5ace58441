"""Template helpers of the organising pages, and the “needs a person” block for home pages."""

from django import template

from houseboat.organizing.fundraising import money as format_money

register = template.Library()


@register.filter
def money(cents, currency: str = "") -> str:
    return format_money(cents, currency)


@register.inclusion_tag("organizing/_attention.html", takes_context=True)
def organizing_attention(context, team):
    """What needs a person in the team's organising work, for any page to show."""
    from houseboat.organizing.services import attention

    return {"attention": attention(team), "team": team, "caps": context.get("caps", ())}


@register.inclusion_tag("organizing_public/_take_part.html")
def organizing_take_part(campaign, links):
    """The open calls to action, for the campaign's live public page (not the static copy)."""
    live = str(getattr(links, "root", "")).startswith("/")
    actions = (
        campaign.actions.filter(is_open=True).order_by("starts_at", "-created_at") if live else []
    )
    return {"campaign": campaign, "actions": actions, "live": live}
