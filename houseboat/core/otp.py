"""Checking two-factor codes: a slip of the finger costs nothing, guessing costs time.

django-otp makes a device wait 1, 2, 4, 8 ... seconds after each wrong code, so a right
code typed just after a wrong one was refused as "not right". Here the first few wrong
codes impose no wait (three guesses in a million change nothing); after that django-otp's
doubling pause applies, and the person is told to wait instead of being told the code is
wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device

FREE_MISTAKES = 3


@dataclass(frozen=True)
class CodeCheck:
    """The device the code matched, or how many seconds to wait before the next try."""

    device: Device | None = None
    wait_seconds: int = 0


def check_code(user, token: str, devices: list[Device] | None = None) -> CodeCheck:
    """Check a code against the user's confirmed devices (or the ones given)."""
    devices = list(devices_for_user(user)) if devices is None else devices
    wait = 0
    for device in devices:
        if getattr(device, "throttling_failure_count", 0) <= FREE_MISTAKES:
            device.throttling_failure_timestamp = None  # in memory only: no wait yet
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = max(wait, seconds_until((data or {}).get("locked_until")))
            continue
        if device.verify_token(token):
            return CodeCheck(device=device)
    return CodeCheck(wait_seconds=wait)


def seconds_until(moment) -> int:
    if moment is None:
        return 1
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def wait_message(seconds: int) -> str:
    """Say that codes are paused, and for how long: not that the code was wrong."""
    return _(
        "Too many wrong codes: to stop guessing, codes are paused for %(seconds)s seconds. "
        "Wait, then type the newest code."
    ) % {"seconds": seconds}


def discard_unconfirmed_devices(users) -> int:
    """Delete authenticators set up but never confirmed: a browser may have seen their secret."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    deleted, _ = TOTPDevice.objects.filter(user__in=users, confirmed=False).delete()
    return deleted
