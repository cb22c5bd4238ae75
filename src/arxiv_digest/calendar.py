"""arXiv's announcement calendar: which days have a listing and which submissions each listing holds.

arXiv (US-Eastern time) closes submissions at 14:00 and announces at 20:00, Sunday to Thursday. The listing dated D
(Monday to Friday, the UTC date just after that 20:00) holds what was submitted between the deadline before the
previous listing's deadline and the deadline on the weekday before D. A holiday cancels a listing; its submissions
roll into the next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ARXIV_TZ = ZoneInfo("America/New_York")
DEADLINE = time(14, 0)
ANNOUNCEMENT = time(20, 0)


@dataclass(frozen=True)
class ArxivCalendar:
    """Answers calendar questions for listing dates; holidays are listing dates with no announcement."""

    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_dates(cls, dates: Iterable[date | str]) -> ArxivCalendar:
        return cls(frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in dates))

    def is_listing_day(self, day: date) -> bool:
        """True when arXiv publishes a listing dated ``day``."""
        return day.weekday() < 5 and day not in self.holidays

    def why_no_listing(self, day: date) -> str | None:
        """A human reason why ``day`` has no listing, or None when it has one."""
        if day.weekday() >= 5:
            return f"{day} is a {day.strftime('%A')}: arXiv publishes no listing on weekends"
        if day in self.holidays:
            return f"{day} is an arXiv holiday (see the holiday list): no listing that day"
        return None

    def previous_listing(self, day: date) -> date:
        """The last listing day strictly before ``day``."""
        d = day - timedelta(days=1)
        while not self.is_listing_day(d):
            d -= timedelta(days=1)
        return d

    def next_listing(self, day: date) -> date:
        """The first listing day on or after ``day``."""
        d = day
        while not self.is_listing_day(d):
            d += timedelta(days=1)
        return d

    @staticmethod
    def _deadline(listing: date) -> datetime:
        """The 14:00 US-Eastern submission deadline that closes the listing dated ``listing``."""
        d = listing - timedelta(days=1)
        while d.weekday() >= 5:
            d -= timedelta(days=1)
        return datetime.combine(d, DEADLINE, tzinfo=ARXIV_TZ).astimezone(UTC)

    def submission_window(self, listing: date) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the submissions announced in the listing dated ``listing``."""
        if not self.is_listing_day(listing):
            raise ValueError(self.why_no_listing(listing))
        return self._deadline(self.previous_listing(listing)), self._deadline(listing)

    def listing_for(self, submitted: datetime) -> date:
        """The listing whose submission window holds a paper submitted at ``submitted``."""
        day = submitted.astimezone(UTC).date()
        while True:
            if self.is_listing_day(day):
                start, end = self.submission_window(day)
                if start <= submitted < end:
                    return day
            day += timedelta(days=1)

    @staticmethod
    def announced_at(listing: date) -> datetime:
        """When the listing dated ``listing`` goes public: 20:00 US-Eastern the evening before, in UTC."""
        return datetime.combine(listing - timedelta(days=1), ANNOUNCEMENT, tzinfo=ARXIV_TZ).astimezone(UTC)


def load_calendar(path: Path) -> ArxivCalendar:
    """Holidays from the YAML list at DIGEST_HOLIDAYS (a missing file means weekends only)."""
    if not path.exists():
        return ArxivCalendar()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return ArxivCalendar.from_dates(str(d) for d in raw.get("holidays") or [])
