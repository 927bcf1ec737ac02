"""Known browsers: a long-lived signed cookie set when an account signs in.

Sign-in attempts from a browser that signed in to the account before are limited only by
that browser's own attempts (``SignInLimits`` in ``climate.security.ratelimit``), so a
stranger who knows a staff email cannot keep its owner out by failing on purpose. The cookie
holds a random browser id and a MAC over that id and the account's email, made with a key
derived from the service's secret key: it names nobody, works for that one account only,
grants nothing by itself (the password is still checked) and cannot be made without the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from litestar.datastructures import Cookie

COOKIE = "climate_device"
# Only the sign-in form needs it.
PATH = "/staff/sign-in"
LIFETIME = dt.timedelta(days=365)
MAX_LENGTH = 128


def new_device() -> str:
    """A fresh random browser id."""
    return secrets.token_urlsafe(16)


def _mac(secret_key: str, device: str, email: str) -> str:
    key = hashlib.sha256(f"climate known devices\0{secret_key}".encode()).digest()
    message = f"{device}\0{email}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def known_device(secret_key: str, value: str | None, email: str) -> str | None:
    """The browser id in a cookie ``value`` if it was set by signing in to ``email``."""
    if not value or len(value) > MAX_LENGTH:
        return None
    device, _dot, mac = value.rpartition(".")
    if not device or not hmac.compare_digest(mac, _mac(secret_key, device, email)):
        return None
    return device


def device_cookie(secret_key: str, email: str, device: str) -> Cookie:
    """The cookie that marks this browser as known to the account ``email``."""
    return Cookie(
        key=COOKIE,
        value=f"{device}.{_mac(secret_key, device, email)}",
        path=PATH,
        max_age=int(LIFETIME.total_seconds()),
        secure=True,
        httponly=True,
        samesite="strict",
    )
