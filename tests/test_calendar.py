"""arXiv's announcement calendar: submission windows in UTC across DST, weekends, holidays and tiling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from arxiv_digest.calendar import ARXIV_TZ, ArxivCalendar, load_calendar

ROOT = Path(__file__).resolve().parents[1]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def utc(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


# Listing date -> (window start, window end) in UTC. June 2024 is EDT (14:00 ET = 18:00 UTC), January 2025 is
# EST (14:00 ET = 19:00 UTC). Mon: Thu->Fri, Tue: Fri->Mon, Wed: Mon->Tue, Thu: Tue->Wed, Fri: Wed->Thu.
SUMMER_WEEK = {
    date(2024, 6, 17): (utc(2024, 6, 13, 18), utc(2024, 6, 14, 18)),
    date(2024, 6, 18): (utc(2024, 6, 14, 18), utc(2024, 6, 17, 18)),
    date(2024, 6, 19): (utc(2024, 6, 17, 18), utc(2024, 6, 18, 18)),
    date(2024, 6, 20): (utc(2024, 6, 18, 18), utc(2024, 6, 19, 18)),
    date(2024, 6, 21): (utc(2024, 6, 19, 18), utc(2024, 6, 20, 18)),
}
WINTER_WEEK = {
    date(2025, 1, 13): (utc(2025, 1, 9, 19), utc(2025, 1, 10, 19)),
    date(2025, 1, 14): (utc(2025, 1, 10, 19), utc(2025, 1, 13, 19)),
    date(2025, 1, 15): (utc(2025, 1, 13, 19), utc(2025, 1, 14, 19)),
    date(2025, 1, 16): (utc(2025, 1, 14, 19), utc(2025, 1, 15, 19)),
    date(2025, 1, 17): (utc(2025, 1, 15, 19), utc(2025, 1, 16, 19)),
}


@pytest.mark.parametrize(
    ("listing", "expected"),
    [*SUMMER_WEEK.items(), *WINTER_WEEK.items()],
    ids=[f"{d:%a}-{d}" for d in [*SUMMER_WEEK, *WINTER_WEEK]],
)
def test_submission_window_of_each_weekday_in_edt_and_est(listing: date, expected: tuple[datetime, datetime]) -> None:
    start, end = ArxivCalendar().submission_window(listing)
    assert (start, end) == expected
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    # Both ends are the 14:00 US-Eastern deadline, whatever the UTC offset of the day.
    assert start.astimezone(ARXIV_TZ).hour == end.astimezone(ARXIV_TZ).hour == 14


def test_window_spanning_the_spring_dst_change_is_one_hour_short() -> None:
    # Clocks went forward on Sunday 2024-03-10: Friday's deadline is EST, Monday's is EDT.
    start, end = ArxivCalendar().submission_window(date(2024, 3, 12))
    assert (start, end) == (utc(2024, 3, 8, 19), utc(2024, 3, 11, 18))
    assert end - start == timedelta(days=3, hours=-1)


def test_window_spanning_the_autumn_dst_change_is_one_hour_long() -> None:
    # Clocks went back on Sunday 2024-11-03.
    start, end = ArxivCalendar().submission_window(date(2024, 11, 5))
    assert (start, end) == (utc(2024, 11, 1, 18), utc(2024, 11, 4, 19))
    assert end - start == timedelta(days=3, hours=1)


@pytest.mark.parametrize(("day", "name"), [(date(2024, 6, 22), "Saturday"), (date(2024, 6, 23), "Sunday")])
def test_weekends_have_no_listing_and_say_why(day: date, name: str) -> None:
    cal = ArxivCalendar()
    assert not cal.is_listing_day(day)
    reason = cal.why_no_listing(day)
    assert reason is not None and name in reason and "weekend" in reason
    with pytest.raises(ValueError, match=f"{name}.*weekend"):
        cal.submission_window(day)
    assert cal.next_listing(day) == date(2024, 6, 24)
    assert cal.previous_listing(date(2024, 6, 24)) == date(2024, 6, 21)


def test_weekdays_have_a_listing_and_no_reason() -> None:
    cal = ArxivCalendar()
    for offset in range(5):
        day = date(2024, 6, 17) + timedelta(days=offset)
        assert cal.is_listing_day(day), WEEKDAYS[offset]
        assert cal.why_no_listing(day) is None
        assert cal.next_listing(day) == day


def test_holiday_cancels_the_listing_and_rolls_its_submissions_into_the_next() -> None:
    christmas = date(2024, 12, 25)  # a Wednesday
    cal = ArxivCalendar.from_dates(["2024-12-25"])
    assert not cal.is_listing_day(christmas)
    reason = cal.why_no_listing(christmas)
    assert reason is not None and "holiday" in reason
    with pytest.raises(ValueError, match="holiday"):
        cal.submission_window(christmas)

    # Thursday's window opens at the deadline of the cancelled listing's predecessor (Tuesday's listing,
    # whose deadline is Monday 14:00 EST) and closes at Wednesday 14:00 EST.
    predecessor = cal.previous_listing(christmas)
    assert predecessor == date(2024, 12, 24)
    start, end = cal.submission_window(date(2024, 12, 26))
    assert start == cal.submission_window(predecessor)[1] == utc(2024, 12, 23, 19)
    assert end == utc(2024, 12, 25, 19)
    # Without the holiday the same Thursday listing holds one day only.
    assert ArxivCalendar().submission_window(date(2024, 12, 26)) == (utc(2024, 12, 24, 19), utc(2024, 12, 25, 19))


def test_monday_holiday_makes_tuesday_hold_thursday_to_monday() -> None:
    cal = ArxivCalendar.from_dates([date(2024, 6, 17)])
    assert cal.previous_listing(date(2024, 6, 18)) == date(2024, 6, 14)
    assert cal.submission_window(date(2024, 6, 18)) == (utc(2024, 6, 13, 18), utc(2024, 6, 17, 18))


def test_consecutive_holidays_roll_into_one_listing() -> None:
    cal = ArxivCalendar.from_dates(["2024-12-25", "2024-12-26"])
    assert cal.next_listing(date(2024, 12, 25)) == date(2024, 12, 27)
    assert cal.submission_window(date(2024, 12, 27)) == (utc(2024, 12, 23, 19), utc(2024, 12, 26, 19))


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        (date(2024, 6, 20), utc(2024, 6, 20, 0)),  # Wed 20:00 EDT
        (date(2024, 6, 17), utc(2024, 6, 17, 0)),  # Monday's listing: Sunday 20:00 EDT
        (date(2025, 1, 16), utc(2025, 1, 16, 1)),  # Wed 20:00 EST
        (date(2025, 1, 13), utc(2025, 1, 13, 1)),  # Sunday 20:00 EST
        (date(2024, 3, 11), utc(2024, 3, 11, 0)),  # Sunday 2024-03-10 20:00 is already EDT
    ],
)
def test_announced_at_is_20_eastern_the_evening_before(listing: date, expected: datetime) -> None:
    announced = ArxivCalendar.announced_at(listing)
    assert announced == expected
    local = announced.astimezone(ARXIV_TZ)
    assert (local.date(), local.hour, local.minute) == (listing - timedelta(days=1), 20, 0)
    # The announcement comes after the listing's deadline, and the listing date is the UTC date just after it.
    assert announced > ArxivCalendar().submission_window(listing)[1]
    assert announced.date() == listing


def test_consecutive_windows_tile_time_without_gap_or_overlap() -> None:
    """Property: over months that cross both DST changes and holidays, every instant is in exactly one listing."""
    cal = ArxivCalendar.from_dates(["2024-07-04", "2024-11-28", "2024-12-25", "2024-12-26", "2025-01-01"])
    day, last = date(2024, 2, 1), date(2025, 2, 28)
    windows: list[tuple[date, datetime, datetime]] = []
    while day <= last:
        if cal.is_listing_day(day):
            windows.append((day, *cal.submission_window(day)))
        else:
            with pytest.raises(ValueError):
                cal.submission_window(day)
        day += timedelta(days=1)
    assert len(windows) > 250

    for (prev_day, _, prev_end), (this_day, start, end) in zip(windows, windows[1:], strict=False):
        assert start == prev_end, f"gap or overlap between {prev_day} and {this_day}"
        assert start < end
        assert cal.previous_listing(this_day) == prev_day
    for listing, start, end in windows:
        for edge in (start, end):
            local = edge.astimezone(ARXIV_TZ)
            assert (local.hour, local.minute) == (14, 0) and local.weekday() < 5, (listing, edge)
        assert end < cal.announced_at(listing)

    # Sample instants every 7 hours (so every hour of the day is hit): each falls in exactly one window.
    t, stop, i = windows[0][1], windows[-1][2], 0
    while t < stop:
        while not windows[i][1] <= t < windows[i][2]:
            i += 1
        assert sum(1 for _, s, e in windows[max(0, i - 2) : i + 3] if s <= t < e) == 1
        t += timedelta(hours=7)


def test_load_calendar_reads_holidays_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text("# arXiv holidays\nholidays:\n  - 2024-12-25\n  - '2025-01-01'\n", encoding="utf-8")
    cal = load_calendar(path)
    assert cal.holidays == frozenset({date(2024, 12, 25), date(2025, 1, 1)})
    assert not cal.is_listing_day(date(2025, 1, 1))


def test_load_calendar_missing_or_empty_file_means_weekends_only(tmp_path: Path) -> None:
    assert load_calendar(tmp_path / "absent.yaml") == ArxivCalendar()
    empty = tmp_path / "empty.yaml"
    empty.write_text("holidays:\n", encoding="utf-8")
    assert load_calendar(empty).holidays == frozenset()
    assert load_calendar(empty).is_listing_day(date(2024, 12, 25))


def test_shipped_holiday_list_loads() -> None:
    cal = load_calendar(ROOT / "include" / "arxiv_holidays.yaml")
    assert date(2024, 12, 25) in cal.holidays
    assert all(isinstance(d, date) for d in cal.holidays)
    assert cal.next_listing(date(2024, 12, 25)) == date(2024, 12, 26)
