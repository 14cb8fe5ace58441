"""Donations: traced to the action, channel and post that brought them; totals and CSV.

A payment provider's export is imported with the columns
``id,date,amount,currency,reference[,email]``: ``reference`` is the tracked link's
code (the donation page receives it as ``utm_content``), ``id`` the provider's id,
so the same file imported twice counts each payment once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from houseboat.campaigns.models import Campaign
from houseboat.organizing.constants import ResponseKind, ResponseSource
from houseboat.organizing.csvimport import CSVFileError, decode, read_header, rows
from houseboat.organizing.models import CallToAction, Response
from houseboat.organizing.services import find_by_handle, record_response

PAYMENT_COLUMNS = ("id", "date", "amount", "currency", "reference")


@dataclass
class Totals:
    total: list[dict]
    by_channel: list[dict]
    by_post: list[dict]
    by_action: list[dict]


def donations(campaign: Campaign):
    return Response.objects.filter(
        campaign=campaign, kind=ResponseKind.DONATED, amount_cents__isnull=False
    )


def _group(queryset, *fields: str) -> list[dict]:
    return list(
        queryset.values(*fields, "currency")
        .annotate(cents=Sum("amount_cents"), count=Count("id"))
        .order_by("-cents")
    )


def totals(campaign: Campaign) -> Totals:
    """Sum the campaign's donations, per currency, overall and per channel, post, action."""
    base = donations(campaign)
    return Totals(
        total=_group(base),
        by_channel=_group(base, "channel__name", "link__source"),
        by_post=_group(base, "post_id", "post__text"),
        by_action=_group(base, "action__title"),
    )


def money(cents: int | None, currency: str = "") -> str:
    if cents is None:
        return ""
    return f"{Decimal(cents) / 100:,.2f} {currency}".strip()


def cell(value: object) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(campaign: Campaign) -> str:
    """One line per donation, with what brought it; supporters only by number, never by name."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["date", "amount", "currency", "action", "channel", "post", "link", "supporter", "ref"]
    )
    rows_ = donations(campaign).select_related("action", "channel", "link").order_by("created_at")
    for r in rows_.iterator():
        writer.writerow(
            [
                r.created_at.isoformat(),
                f"{Decimal(r.amount_cents) / 100:.2f}",
                r.currency,
                cell(r.action.title),
                cell(r.channel.name if r.channel else (r.link.source if r.link else "")),
                r.post_id or "",
                r.link.code if r.link else "",
                r.supporter_id or "",
                cell(r.external_ref),
            ]
        )
    return out.getvalue()


def parse_amount(text: str) -> int:
    """Return an amount in cents; refuse what is not a positive number."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("the amount “%(a)s” is not a number") % {"a": text}) from None
    if value <= 0 or value > Decimal("100000000"):
        raise ValueError(_("the amount must be above zero"))
    return int((value * 100).quantize(Decimal("1")))


def parse_when(text: str) -> datetime:
    text = text.strip()
    when = parse_datetime(text)
    if when is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(_("the date “%(d)s” is not YYYY-MM-DD") % {"d": text})
        when = datetime(day.year, day.month, day.day)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


@dataclass
class PaymentReport:
    added: int = 0
    repeated: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


def import_payments(action: CallToAction, data: bytes) -> PaymentReport:
    """Import a payment file's donations to ``action``, each traced by its reference."""
    text = decode(data)
    header = [h.lower() for h in read_header(text)]
    missing = [c for c in PAYMENT_COLUMNS if c not in header]
    if missing:
        raise CSVFileError(
            _("The payment file lacks the columns: %(cols)s.") % {"cols": ", ".join(missing)}
        )
    report = PaymentReport()
    links = {link.code: link for link in action.links.select_related("channel", "post")}
    for line, cells, problem in rows(text):
        values = dict(zip(header, cells or [], strict=False))
        try:
            if problem:
                raise ValueError(problem)
            added = import_payment(action, values, links)
        except ValueError as error:
            report.bad.append((line, str(error)))
            continue
        if added:
            report.added += 1
        else:
            report.repeated += 1
    return report


def import_payment(action: CallToAction, values: dict[str, str], links: dict) -> bool:
    ref = values.get("id", "").strip()[:120]
    if not ref:
        raise ValueError(_("the payment has no id"))
    currency = values.get("currency", "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(_("the currency “%(c)s” is not a three-letter code") % {"c": currency})
    cents, when = parse_amount(values.get("amount", "")), parse_when(values.get("date", ""))
    link = links.get(values.get("reference", "").strip())
    email = values.get("email", "").strip()
    supporter = find_by_handle(action.campaign.team, "email", email) if email else None
    try:
        with transaction.atomic():
            record_response(
                supporter,
                action=action,
                kind=ResponseKind.DONATED,
                source=ResponseSource.PAYMENT_CSV,
                amount_cents=cents,
                currency=currency,
                external_ref=ref,
                link=link,
                channel=link.channel if link else None,
                post=link.post if link else None,
                created_at=when,
            )
    except IntegrityError:
        return False  # this payment was imported before
    return True
