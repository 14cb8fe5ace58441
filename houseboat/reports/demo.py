"""Harvested outcomes for the demo campaign, so its report has that section filled."""

from __future__ import annotations

from datetime import date, timedelta

from houseboat.campaigns.models import Campaign
from houseboat.reports.models import Outcome

# (days ago, who changed, what changed, how the campaign contributed, who confirms it)
OUTCOMES = [
    (
        41,
        "Port Verene Bar Association",
        "Assigned duty lawyers to all ten journalists and asked the court for access in writing.",
        "The campaign's open letter, signed by 4,000 people, named the bar's own duty to act.",
        "The bar's public statement of that day; the lawyers' letter to the court (on file).",
    ),
    (
        23,
        "Al-Marsad (المرصد), the regional daily in Arabic",
        "أول تغطية باللغة العربية لقضية الصحفيين العشرة: مقال على الصفحة الأولى بعنوان «الصحافة ليست جريمة».",
        "The team sent its Arabic press kit and put the editor in touch with two families.",
        "The front page of Al-Marsad, archived with its SHA-256 in the evidence log: "
        "«المقال المنشور في المرصد، الصفحة الأولى».",
    ),
    (
        9,
        "City council member for the harbour district",
        "Tabled a motion asking the mayor to publish the harbour contracts the Courier reported on.",
        "Supporters wrote 600 letters after the vigil; the motion quotes the campaign's brief.",
        "The council's order paper, item 14; confirmed by the member's office by e-mail.",
    ),
]


def seed_outcomes(campaign: Campaign, user=None) -> None:
    """Add the demo's harvested outcomes (three rows, one in Arabic)."""
    today = date.today()
    Outcome.objects.bulk_create(
        Outcome(
            campaign=campaign,
            actor=actor,
            change=change,
            happened_on=today - timedelta(days=days_ago),
            contribution=contribution,
            confirmed_by=confirmed_by,
            created_by=user,
        )
        for days_ago, actor, change, contribution, confirmed_by in OUTCOMES
    )
