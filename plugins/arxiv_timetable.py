"""Airflow timetable for arXiv listing days: one run per announcement, none on weekends or arXiv holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.plugins_manager import AirflowPlugin
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable
from pendulum import DateTime, instance

from arxiv_digest.calendar import ArxivCalendar

if TYPE_CHECKING:
    from airflow.timetables.base import TimeRestriction


def _midnight(day: date) -> DateTime:
    return instance(datetime(day.year, day.month, day.day, tzinfo=UTC))


class ArxivListingTimetable(Timetable):
    """The run for date D covers arXiv's listing dated D: data interval [D, D+1) UTC.

    It is scheduled ``delay`` after the listing goes public (20:00 US-Eastern the evening before D), so the
    papers and PDFs are there; days without a listing get no run, and a manual run on one is skipped.
    """

    description = "arXiv listing days (Mon-Fri, not arXiv holidays), after the 20:00 US-Eastern announcement"
    periodic = True
    can_be_scheduled = True

    def __init__(self, holidays: list[str] | None = None, delay_minutes: int = 90):
        self.holidays = sorted(holidays or [])
        self.delay_minutes = delay_minutes
        self.calendar = ArxivCalendar.from_dates(self.holidays)

    @property
    def summary(self) -> str:
        return f"arXiv listings (+{self.delay_minutes} min)"

    def serialize(self) -> dict[str, Any]:
        return {"holidays": self.holidays, "delay_minutes": self.delay_minutes}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> ArxivListingTimetable:
        return cls(holidays=data.get("holidays"), delay_minutes=data.get("delay_minutes", 90))

    def _info(self, day: date) -> DagRunInfo:
        run_after = instance(self.calendar.announced_at(day) + timedelta(minutes=self.delay_minutes))
        return DagRunInfo(run_after=run_after,
                          data_interval=DataInterval(_midnight(day), _midnight(day + timedelta(days=1))))

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        day = run_after.astimezone(UTC).date()
        return DataInterval(_midnight(day), _midnight(day + timedelta(days=1)))

    def next_dagrun_info(
        self, *, last_automated_data_interval: DataInterval | None, restriction: TimeRestriction
    ) -> DagRunInfo | None:
        day: date
        if last_automated_data_interval is not None:
            day = last_automated_data_interval.start.astimezone(UTC).date() + timedelta(days=1)
        elif restriction.earliest is None:
            return None
        else:
            earliest = restriction.earliest.astimezone(UTC)
            day = earliest.date() if earliest.time() == datetime.min.time() else earliest.date() + timedelta(days=1)
            if not restriction.catchup:
                # Without catchup, start from the newest listing already announced (never one from the past).
                now = datetime.now(UTC)
                latest = self.calendar.next_listing(now.date() + timedelta(days=1))
                while self.calendar.announced_at(latest) > now:
                    latest = self.calendar.previous_listing(latest)
                day = max(day, latest)
        day = self.calendar.next_listing(day)
        if restriction.latest is not None and _midnight(day) > restriction.latest:
            return None
        return self._info(day)


class ArxivTimetablePlugin(AirflowPlugin):
    """Registers the timetable so the scheduler and DAG processor can deserialize it."""

    name = "arxiv_digest_timetable"
    timetables = [ArxivListingTimetable]
