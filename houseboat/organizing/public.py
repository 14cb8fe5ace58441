"""Public pages: a call to action, the sign-up form, confirmation, unsubscribe, short links.

No sign-in and nothing of the team. Nothing about a visitor's connection (address,
browser, referrer) is stored: spam is held off by a honeypot field, a per-campaign
limit kept in the database (counts only) and a per-visitor limit kept in memory
under a keyed, daily-changing hash that never reaches the disk.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from houseboat.campaigns.models import Campaign
from houseboat.campaigns.site import live_links
from houseboat.core.models import hash_token
from houseboat.organizing import followups, links, services
from houseboat.organizing.constants import (
    PUBLIC_RESPONSE,
    ActionKind,
    ContactChannel,
    ResponseKind,
    ResponseSource,
    SupporterSource,
)
from houseboat.organizing.forms import PublicAnswerForm, SignupForm
from houseboat.organizing.models import (
    CallToAction,
    Consent,
    PendingConfirmation,
    SignupThrottle,
    Supporter,
)

WINDOW = timedelta(minutes=10)
PER_CAMPAIGN = 60  # answers and sign-ups per campaign in ten minutes
PER_VISITOR = 5  # per visitor in ten minutes (kept in memory only)
CONFIRM_DAYS = 7

# Marked here, translated where it is shown: the wording kept as consent evidence is
# the one the visitor read, in the site's language.
SIGNUP_WORDING = gettext_noop(
    "I agree that {campaign} may contact me on the channels I ticked about this campaign. "
    "I can stop this at any time with the link in every message."
)
NEWS_WORDING = gettext_noop("Send me news of {campaign} by e-mail. I can stop this at any time.")


def public_campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug, site_public=True).select_related("team").first()
    if campaign is None:
        raise Http404(_("No campaign has a public page at this address."))
    return campaign


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- limits --------------------------------------------------------------------------


def visitor_key(request: HttpRequest) -> str:
    """A keyed hash of the address that changes daily; kept in memory, never stored."""
    day = timezone.now().date().isoformat()
    address = request.META.get("REMOTE_ADDR", "")
    return "organizing:visitor:" + salted_hmac(f"visitor:{day}", address).hexdigest()[:32]


def allow(request: HttpRequest, campaign: Campaign) -> bool:
    """Count one public answer; return False when a limit is reached."""
    key = visitor_key(request)
    cache.add(key, 0, int(WINDOW.total_seconds()))
    if cache.incr(key) > PER_VISITOR:
        return False
    now = timezone.now()
    window = now - timedelta(
        minutes=now.minute % 10, seconds=now.second, microseconds=now.microsecond
    )
    with transaction.atomic():
        row, _ = SignupThrottle.objects.get_or_create(campaign=campaign, window=window)
        SignupThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)
        SignupThrottle.objects.filter(campaign=campaign, window__lt=window).delete()
    row.refresh_from_db()
    return row.count <= PER_CAMPAIGN


def too_many(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    return no_store(
        render(
            request,
            "organizing_public/message.html",
            {
                "campaign": campaign,
                "links": live_links(campaign),
                "title": _("Please try again in a few minutes"),
                "text": _(
                    "Many people are answering right now. Nothing was saved; try again soon."
                ),
            },
            status=429,
        )
    )


# --- a call to action ----------------------------------------------------------------


def action_context(campaign: Campaign, action: CallToAction, form) -> dict:
    counts = {
        "rsvps": action.responses.filter(kind=ResponseKind.RSVP).count(),
        "signed": action.responses.filter(kind=ResponseKind.SIGNED).count(),
    }
    full = bool(action.capacity) and counts["rsvps"] >= action.capacity
    donate_url = ""
    if action.target_url:
        donate_url = links.with_query(
            action.target_url,
            {
                "utm_source": "houseboat",
                "utm_campaign": campaign.slug,
                "utm_content": form["via"].value() or "",
            },
        )
    return {
        "campaign": campaign,
        "action": action,
        "form": form,
        "links": live_links(campaign),
        "counts": counts,
        "full": full,
        "answers": action.kind in PUBLIC_RESPONSE and action.is_open and not full,
        "donate_url": donate_url,
        "signup_url": reverse("act:signup", kwargs={"slug": campaign.slug}),
    }


@require_http_methods(["GET", "POST"])
def action_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = public_campaign(slug)
    action = get_object_or_404(CallToAction, pk=pk, campaign=campaign)
    if request.method == "GET":
        form = PublicAnswerForm(initial={"via": request.GET.get("via", "")[:16]})
        return no_store(
            render(request, "organizing_public/action.html", action_context(campaign, action, form))
        )
    form = PublicAnswerForm(request.POST)
    context = action_context(campaign, action, form)
    if not context["answers"]:
        return no_store(render(request, "organizing_public/action.html", context, status=409))
    if request.POST.get("website"):
        return thanks(request, campaign, action)  # a robot: say thanks, keep nothing
    if not form.is_valid():
        return no_store(render(request, "organizing_public/action.html", context, status=400))
    if not allow(request, campaign):
        return too_many(request, campaign)
    try:
        record_public_answer(request, campaign, action, form.cleaned_data)
    except services.SupporterError as error:
        form.add_error(None, str(error))
        return no_store(render(request, "organizing_public/action.html", context, status=400))
    return thanks(request, campaign, action)


def record_public_answer(request, campaign: Campaign, action: CallToAction, data: dict) -> None:
    """Save a visitor's answer, tied to the link that brought them and to a supporter."""
    email = data.get("email", "")
    supporter = services.find_by_handle(campaign.team, "email", email) if email else None
    if supporter is None:
        supporter = services.add_supporter(
            campaign.team,
            services.NewSupporter(
                name=data["name"],
                handles={"email": email} if email else {},
                consents=[ContactChannel.EMAIL] if data.get("keep_me_posted") else [],
            ),
            source=SupporterSource.RESPONSE,
            consent_source=f"public page of “{action.title}” ({campaign.name})",
            wording=gettext(NEWS_WORDING).format(campaign=campaign.name),
            campaign=campaign,
            confirmed=False,
        )
        if data.get("keep_me_posted"):
            ask_to_confirm(request, campaign, supporter)
    link = links.link_for_code(action, data.get("via", ""))
    services.record_response(
        supporter,
        action=action,
        kind=PUBLIC_RESPONSE[action.kind],
        source=ResponseSource.PUBLIC_PAGE,
        link=link,
        channel=link.channel if link else None,
        post=link.post if link else None,
    )


def thanks(request: HttpRequest, campaign: Campaign, action: CallToAction | None) -> HttpResponse:
    text = _("Thank you. Your answer is recorded.")
    if action is not None and action.kind == ActionKind.EVENT:
        text = _("Thank you. An organiser will confirm your place.")
        if action.place_private:
            text += " " + _("The place is shared with confirmed people only.")
    return no_store(
        render(
            request,
            "organizing_public/message.html",
            {
                "campaign": campaign,
                "links": live_links(campaign),
                "title": _("Thank you"),
                "text": text,
            },
        )
    )


# --- sign-up, confirmation, unsubscribe ------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = public_campaign(slug)
    form = SignupForm(request.POST or None)
    context = {
        "campaign": campaign,
        "links": live_links(campaign),
        "form": form,
        "wording": gettext(SIGNUP_WORDING).format(campaign=campaign.name),
    }
    if request.method == "GET":
        return no_store(render(request, "organizing_public/signup.html", context))
    if request.POST.get("website"):
        return signed_up(request, campaign)  # a robot: keep nothing, tell it nothing
    if not form.is_valid():
        return no_store(render(request, "organizing_public/signup.html", context, status=400))
    if not allow(request, campaign):
        return too_many(request, campaign)
    new = form.cleaned_data["new"]
    if services.taken_handles(campaign.team, new):
        # Already on the list: the same answer, so the form tells no one who is a supporter.
        return signed_up(request, campaign)
    save_signup(request, campaign, new)
    return signed_up(request, campaign)


@transaction.atomic
def save_signup(request: HttpRequest, campaign: Campaign, new) -> Supporter:
    """Save a sign-up; e-mail consent waits for the link in the e-mail to be followed."""
    supporter = services.add_supporter(
        campaign.team,
        new,
        source=SupporterSource.SIGNUP,
        consent_source=f"sign-up form of {campaign.name}",
        wording=gettext(SIGNUP_WORDING).format(campaign=campaign.name),
        campaign=campaign,
        confirmed=False,
    )
    now = timezone.now()
    # A WhatsApp opt-in on a form is what WhatsApp asks for; it cannot be confirmed by
    # message before a template is approved, so it counts as given.
    opted_in = supporter.consents.filter(channel=ContactChannel.WHATSAPP)
    if opted_in.update(confirmed_at=now):
        Supporter.objects.filter(pk=supporter.pk).update(confirmed_at=now)
    if ContactChannel.EMAIL in new.consents:
        ask_to_confirm(request, campaign, supporter)
    return supporter


def ask_to_confirm(request: HttpRequest, campaign: Campaign, supporter: Supporter) -> bool:
    """E-mail a confirmation link, where an outgoing mail server is set up."""
    if not followups.email_configured() or not supporter.email:
        return False
    token = secrets.token_urlsafe(24)
    PendingConfirmation.objects.create(
        supporter=supporter,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=CONFIRM_DAYS),
    )
    url = request.build_absolute_uri(reverse("confirm_signup", kwargs={"token": token}))
    send_mail(
        _("Please confirm: %(campaign)s") % {"campaign": campaign.name},
        _(
            "Someone (we hope you) asked to hear from %(campaign)s by e-mail.\n\n"
            "To confirm, open: %(url)s\n\nIf it was not you, ignore this e-mail: "
            "nothing will be sent to you."
        )
        % {"campaign": campaign.name, "url": url},
        None,
        [supporter.email],
        fail_silently=True,
    )
    return True


def signed_up(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    return no_store(
        render(
            request,
            "organizing_public/message.html",
            {
                "campaign": campaign,
                "links": live_links(campaign),
                "title": _("Thank you for signing up"),
                "text": _(
                    "If you gave an e-mail address, we sent you a link: messages by e-mail "
                    "start only once you follow it."
                ),
            },
        )
    )


@require_http_methods(["GET", "POST"])
def confirm_signup(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm an e-mail sign-up. GET only asks: mail scanners follow links."""
    pending = (
        PendingConfirmation.objects.filter(
            token_hash=hash_token(token), expires_at__gt=timezone.now()
        )
        .select_related("supporter")
        .first()
    )
    if pending is None:
        return no_store(render(request, "organizing_public/plain.html", {"gone": True}, status=404))
    if request.method == "GET":
        return no_store(render(request, "organizing_public/plain.html", {"confirm": True}))
    now = timezone.now()
    with transaction.atomic():
        Consent.objects.filter(
            supporter=pending.supporter, channel=ContactChannel.EMAIL, confirmed_at__isnull=True
        ).update(confirmed_at=now)
        Supporter.objects.filter(pk=pending.supporter_id, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        pending.delete()
    return no_store(render(request, "organizing_public/plain.html", {"confirmed": True}))


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop every message to the person. GET only asks: mail scanners follow links."""
    supporter = followups.supporter_for_token(token)
    if supporter is None:
        return no_store(render(request, "organizing_public/plain.html", {"gone": True}, status=404))
    if request.method == "GET":
        return no_store(render(request, "organizing_public/plain.html", {"stop": True}))
    services.unsubscribe(supporter)
    return no_store(render(request, "organizing_public/plain.html", {"stopped": True}))


@require_safe
def tracked_link(request: HttpRequest, code: str) -> HttpResponse:
    """Count a click and send the visitor on; nothing about them is read or kept."""
    link = links.count_click(code) if code.isalnum() and len(code) <= 16 else None
    if link is None:
        raise Http404(_("This link does not exist."))
    return no_store(HttpResponseRedirect(links.destination(link)))
