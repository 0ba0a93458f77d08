"""How dates, money and sentence ends are written for people: the one home of those formats.

Every page, email and CSV-for-people calls these functions (templates through the filters of
accounts/templatetags/formats.py). Machine-readable output (CSV exports, the API, webhooks) keeps
ISO 8601 dates and plain decimal amounts with a currency code beside them. docs/formats.md
states the rules.

- A day: "22 Nov 2026". A moment: "22 Nov 2026, 14:05" in the site's time zone. A month:
  "Nov 2026".
- A range of days: "15 Dec 2026 – 13 Jun 2027"; within one year the first year is left out:
  "15 Mar – 13 Jun 2027".
- Money: the currency's symbol (or its ISO code where a symbol would be ambiguous), thousands
  grouped with commas: "€50,589", "€12,541.50", "CHF 1,200", "−€300". Cents are shown when the
  amount has cents, unless whole units are asked for (contract values: `whole=True`).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

NOTHING = "—"
MINUS = "\u2212"
NBSP = "\u00a0"

# ISO 4217 code → symbol written before the amount. Codes without an unambiguous symbol (CHF,
# SEK, NOK, DKK, PLN, CZK) are written as the code and a no-break space.
CURRENCY_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "SGD": "S$",
    "BRL": "R$",
}
# Currencies that have no minor unit in use.
WHOLE_CURRENCIES = {"JPY"}


def _local_day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _parse_day(value) -> dt.date | dt.datetime | None:
    """A date, a datetime, or an ISO string of one (as JSON details keep them)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return (
            dt.datetime.fromisoformat(str(value))
            if "T" in str(value)
            else (dt.date.fromisoformat(str(value)))
        )
    except ValueError:
        return None


def format_date(value, *, empty: str = NOTHING) -> str:
    """22 Nov 2026. A datetime gives its day in the site's time zone; None gives `empty`."""
    day = _parse_day(value)
    if day is None:
        return empty if value is None or value == "" else str(value)
    day = _local_day(day)
    return f"{day.day} {day:%b %Y}"


def format_datetime(value, *, empty: str = NOTHING) -> str:
    """22 Nov 2026, 14:05 in the site's time zone; a plain date as format_date."""
    moment = _parse_day(value)
    if moment is None:
        return empty if value is None or value == "" else str(value)
    if not isinstance(moment, dt.datetime):
        return format_date(moment)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def format_month(value, *, empty: str = NOTHING) -> str:
    """Nov 2026."""
    day = _parse_day(value)
    if day is None:
        return empty
    return f"{_local_day(day):%b %Y}"


def format_date_range(start, end, *, empty: str = NOTHING) -> str:
    """15 Dec 2026 – 13 Jun 2027; 15 Mar – 13 Jun 2027 within one year; "from …" or
    "until …" when one end is open."""
    first, last = _parse_day(start), _parse_day(end)
    if first is None and last is None:
        return empty
    if last is None:
        return f"from {format_date(first)}"
    if first is None:
        return f"until {format_date(last)}"
    first, last = _local_day(first), _local_day(last)
    if first == last:
        return format_date(first)
    opening = f"{first.day} {first:%b}" if first.year == last.year else format_date(first)
    return f"{opening} – {format_date(last)}"


def currency_symbol(currency: str | None) -> str:
    """What is written before an amount: "€", or "CHF " for a code without a clear symbol."""
    code = (currency or "").upper()
    if code in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[code]
    return f"{code}{NBSP}" if code else ""


def format_money(amount, currency: str | None, *, whole: bool = False, empty: str = NOTHING) -> str:
    """€50,589 / €12,541.50 / −€300 / €0. `whole=True` rounds to whole units (contract values);
    otherwise cents are shown only when there are any. None gives `empty`."""
    if amount is None or amount == "":
        return empty
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    code = (currency or "").upper()
    cents = abs(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if whole or code in WHOLE_CURRENCIES or cents == cents.to_integral_value():
        number = f"{abs(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    else:
        number = f"{cents:,}"
    sign = MINUS if value < 0 and number.strip("0.,") else ""
    return f"{sign}{currency_symbol(code)}{number}"


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def format_relative(value, *, now: dt.datetime | None = None, empty: str = NOTHING) -> str:
    """How far a moment or a day is from now, rounded to one unit as people say it: "just
    now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", "3 weeks ago", "2 months
    ago", "in 6 days", "in 2 months" ("today" and "tomorrow" for days). Always beside the
    date itself (format_date), which it never replaces."""
    moment = _parse_day(value)
    if moment is None:
        return empty if value is None or value == "" else str(value)
    now = now or timezone.now()
    if isinstance(moment, dt.datetime):
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        seconds = (now - moment).total_seconds()
        if abs(seconds) < 60 * 60 * 24:
            minutes = round(abs(seconds) / 60)
            if minutes < 1:
                return "just now"
            words = (
                _count(minutes, "minute") if minutes < 60 else _count(round(minutes / 60), "hour")
            )
            return f"{words} ago" if seconds > 0 else f"in {words}"
        moment = _local_day(moment)
    days = (_local_day(now) - moment).days
    if days == 0:
        return "today"
    if abs(days) == 1:
        return "yesterday" if days > 0 else "tomorrow"
    n = abs(days)
    if n < 14:
        words = _count(n, "day")
    elif n < 60:
        words = _count(round(n / 7), "week")
    elif n < 365:
        words = _count(round(n / 30.44), "month")
    else:
        words = _count(round(n / 365.25), "year")
    return f"{words} ago" if days > 0 else f"in {words}"


def end_sentence(text) -> str:
    """`text` followed by a full stop, unless it already ends with one (or ? ! …): a sentence
    ending in "Redwood Energy B.V." has one full stop, not two."""
    text = "" if text is None else str(text)
    stripped = text.rstrip()
    if stripped.endswith((".", "?", "!", "…")):
        return stripped
    return f"{stripped}."


def format_decimal(value, places: int) -> str:
    """A number with `places` decimals, rounded half up: what the template filter
    `floatformat:<places>` writes on this site (en-gb: a point, no grouping), for code that
    prepares many figures at once (an engagement history table) without a filter call each."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{abs(rounded) if not rounded else rounded:f}"
