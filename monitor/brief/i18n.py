"""Translations (gettext catalogs, compiled in memory with Babel) and locale formatting.

The French catalog is ``locale/fr/LC_MESSAGES/messages.po``; it is read and compiled
when first needed, so no binary ``.mo`` file lives in the repository. English is the
source language.
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from monitor.resources import package_data

LANGUAGES = ("en", "fr")


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    path = package_data("brief", "locale", lang, "LC_MESSAGES", "messages.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class Localizer:
    """Gettext and date/number formatting for one briefing language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"briefings are available in {', '.join(LANGUAGES)}, not {lang!r}")
        self.lang = lang
        self.locale = Locale.parse(lang)
        self._t = translations(lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def day(self, value: date | str, fmt: str = "long") -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, format=fmt, locale=self.locale)

    def moment(self, value: datetime | str) -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return format_datetime(value, format="medium", locale=self.locale)

    def number(self, value: float, digits: int = 1) -> str:
        return format_decimal(round(value, digits), locale=self.locale)
