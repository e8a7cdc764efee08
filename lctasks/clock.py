"""The office clock: "now" and "today" in the office's time zone.

The office works in China time, whatever the machine's ``TZ`` says. Every
"today" (as-of defaults, ``+30d``, report periods, "overdue since"), every
day or month boundary (``--since`` / ``--until``, "reports up to the end of
the as-of day") is computed here, in the zone of the ``timezone`` setting
(``Asia/Shanghai`` by default, see ``plan_data/settings.toml``).

Stored timestamps stay UTC instants (SQLite keeps them naive UTC, PostgreSQL
``timestamptz``); only their *calendar day* is read in office time, through
:func:`office_date`.

Use these, never ``date.today()`` / ``datetime.now()``:

* :func:`today` — the office's calendar date now;
* :func:`now` — the current instant, aware, in the office zone;
* :func:`office_date` — the office's calendar date of a stored instant;
* :func:`day_start` / :func:`day_end` — the UTC instants where an office day
  begins / ends (``day_end(d) == day_start(d + 1 day)``), for SQL comparisons.

Standard library only (the zone name is read from the settings on first use).
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

# (value of $LCTASKS_CONFIG when read, zone): settings are re-read when it changes
_cache: tuple[str | None, ZoneInfo] | None = None
_override: ZoneInfo | None = None


def office_zone() -> ZoneInfo:
    """The office's time zone (the ``timezone`` setting)."""
    global _cache
    if _override is not None:
        return _override
    env = os.environ.get("LCTASKS_CONFIG")
    if _cache is None or _cache[0] != env:
        from lctasks.config import load_settings

        _cache = (env, ZoneInfo(load_settings().timezone))
    return _cache[1]


def use_zone(name: str | None) -> None:
    """Force the office zone (``None``: back to the settings). For tests and embedding."""
    global _override, _cache
    _override = ZoneInfo(name) if name else None
    _cache = None


def now() -> dt.datetime:
    """The current instant, aware, in the office's zone."""
    return dt.datetime.now(office_zone())


def today() -> dt.date:
    """The office's calendar date now (01:00 in Beijing is already the Beijing date)."""
    return now().date()


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC (what is stored)."""
    return dt.datetime.now(dt.UTC)


def office_date(value: dt.datetime | dt.date) -> dt.date:
    """The office's calendar date of an instant (naive datetimes are UTC, as stored)."""
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(office_zone()).date()


def day_start(day: dt.date) -> dt.datetime:
    """The UTC instant at which the office's calendar day ``day`` begins."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=office_zone())
    return local.astimezone(dt.UTC)


def day_end(day: dt.date) -> dt.datetime:
    """The UTC instant at which the office's day ``day`` ends (the next day's start)."""
    return day_start(day + dt.timedelta(days=1))
