"""The one page renderer and locale choice for student and staff pages (and JSON error wording).

A language is chosen the same way everywhere: an explicit ``?lang=``, then the language cookie,
then Accept-Language, then the district's default, among the languages on offer (a survey's
enabled languages on its own pages, the district's accepted languages elsewhere). Every page
gets the same context: gettext in that language, ``lang``, ``html_lang``, ``dir``, the language
picker, the district's name, its crisis contacts, ``static_url`` and the form's CSRF token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from climate.i18n import (
    COOKIE,
    Catalogs,
    direction,
    html_lang,
    jinja_gettext,
    language_name,
    negotiate,
)
from climate.reports.formatting import Formatter
from climate.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"
# Where create_app keeps the one Pages of an app (see ``pages_of``).
STATE_KEY = "pages"


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _static_version()


def static_url(name: str) -> str:
    """A static file's URL, versioned by content so it can be cached for a year."""
    return f"{STATIC_PATH}/{name}?v={STATIC_VERSION}"


def choose_locale(
    connection: ASGIConnection[Any, Any, Any, Any], available: Sequence[str], default: str
) -> str:
    """Explicit ``?lang=``, then the language cookie, then Accept-Language, then the default."""
    return negotiate(
        available,
        default,
        explicit=connection.query_params.get("lang"),
        cookie=connection.cookies.get(COOKIE),
        accept_language=connection.headers.get("accept-language"),
    )


def language_cookies(connection: ASGIConnection[Any, Any, Any, Any], locale: str) -> list[Cookie]:
    """The language cookie, when the student has just chosen a language."""
    explicit = connection.query_params.get("lang")
    if explicit and explicit == locale and connection.cookies.get(COOKIE) != locale:
        # A session cookie: the next student on a shared Chromebook starts afresh.
        return [Cookie(key=COOKIE, value=locale, path="/", samesite="lax", httponly=True)]
    return []


def csrf_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The CSRF token for this page's forms ("" where no form needs one)."""
    token = ScopeState.from_scope(connection.scope).csrf_token
    return token if isinstance(token, str) else ""


@dataclass(slots=True)
class Pages:
    """Renders every HTML page of one app in the visitor's language."""

    settings: Settings
    catalogs: Catalogs
    # Pages rendered once and kept, such as blank survey forms: rendering one takes milliseconds.
    _kept: dict[tuple[object, ...], tuple[bytes, ...]] = field(default_factory=dict)

    def locale(
        self, connection: ASGIConnection[Any, Any, Any, Any], available: Sequence[str] = ()
    ) -> str:
        """The visitor's language among ``available`` (the accepted languages when empty)."""
        return choose_locale(
            connection, available or self.settings.accepted_locales, self.settings.default_locale
        )

    def gettext(self, locale: str) -> Callable[[str], str]:
        """Interface strings in ``locale``."""
        return self.catalogs.translations(locale).gettext

    def context(self, locale: str, available: Sequence[str] = (), **context: Any) -> dict[str, Any]:
        """What every page's template needs: language, direction, picker, crisis help."""
        return {
            **jinja_gettext(self.catalogs.translations(locale)),
            "lang": locale,
            "html_lang": html_lang(locale),
            "dir": direction(locale),
            "languages": [
                (code, language_name(code))
                for code in (available or self.settings.accepted_locales)
            ],
            "crisis_contacts": self.settings.crisis_contacts,
            # Whether the district takes help requests: every student page then links to them.
            "help_on": self.settings.help_requests is not None,
            "district_name": self.settings.district_name,
            "static_url": static_url,
            # A school year as every page names it ("2025-26"), kept left to right.
            "school_year": school_year_label(locale),
            # Instrument wording (titles, items) from the instruments' own catalog.
            "instrument_text": self.catalogs.instrument_text(locale),
            **context,
        }

    def render(
        self,
        request: Request[Any, Any, Any],
        template: str,
        *,
        available: Sequence[str] = (),
        locale: str | None = None,
        remember: bool = False,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> Template:
        """A page in the visitor's language (or ``locale``); ``remember`` keeps a chosen one."""
        chosen = locale or self.locale(request, available)
        return Template(
            template_name=template,
            context=self.context(chosen, available, csrf=csrf_token(request), **context),
            status_code=status_code,
            headers=dict(headers or {}),
            cookies=language_cookies(request, chosen) if remember else [],
        )

    def text(self, request: Request[Any, Any, Any], template: str, context: dict[str, Any]) -> str:
        """A template rendered to text with a full page ``context``."""
        engine = request.app.template_engine
        if engine is None:
            raise RuntimeError("the app has no template engine")
        rendered: str = engine.get_template(template).render(**context)
        return rendered

    def kept(
        self, key: tuple[object, ...], make: Callable[[], tuple[bytes, ...]]
    ) -> tuple[bytes, ...]:
        """A page made once per ``key`` and kept for the life of the process."""
        found = self._kept.get(key)
        if found is None:
            found = make()
            self._kept[key] = found
        return found


def pages_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Pages:
    """The app's Pages, for exception handlers (handlers get it as the ``pages`` dependency)."""
    # Litestar gives exception handlers no dependencies, so they find it in the app's state.
    found: Pages = connection.app.state[STATE_KEY]
    return found


def error_gettext(request: Request[Any, Any, Any]) -> Callable[[str], str]:
    """Interface strings in the caller's language, for JSON error messages."""
    pages = pages_of(request)
    return pages.gettext(pages.locale(request))


def school_year_label(locale: str) -> Callable[[int], str]:
    """A school year as the pages name it ("2025-26"), kept left to right in any language."""
    fmt = Formatter.for_language(locale)
    return lambda year: fmt.isolate(fmt.school_year(year))
