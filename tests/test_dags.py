"""DAG integrity (parsed by Airflow's own DagBag) and the arXiv listing timetable."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
import yaml
from airflow.dag_processing.dagbag import DagBag
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction

from arxiv_digest.calendar import ArxivCalendar, load_calendar
from arxiv_digest.quota import DEFAULT_QUOTAS
from arxiv_digest.topics import load_topics
from arxiv_timetable import ArxivListingTimetable

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
ET = ZoneInfo("America/New_York")
TASKS = {"fetch_papers", "review_papers", "render_post", "publish_post", "check_run", "batch_submit", "batch_wait"}
ARXIV_TASKS = {"fetch_papers", "batch_submit"}


def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def bag() -> Iterator[DagBag]:
    """The DAG folder parsed once, with the repository's own topics.yaml and no DIGEST_* from outside."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("DIGEST_")]:
            mp.delenv(key)
        yield dagbag()


@pytest.fixture(scope="module")
def pools() -> dict[str, Any]:
    return json.loads((ROOT / "include" / "pools.json").read_text())


# --- DAG integrity -----------------------------------------------------------------------------------------


def test_dag_folder_imports_without_errors(bag: DagBag) -> None:
    assert bag.import_errors == {}


def test_review_task_has_an_execution_timeout(bag: DagBag) -> None:
    task = bag.dags["arxiv_digest__diffusion_models"].get_task("review_papers")
    assert task.execution_timeout == timedelta(seconds=10_800)  # DIGEST_REVIEW_TIMEOUT's default


def test_one_dag_per_topic(bag: DagBag) -> None:
    topics = load_topics(ROOT / "include" / "topics.yaml")
    assert sorted(bag.dag_ids) == sorted(f"arxiv_digest__{t.slug}" for t in topics)
    assert "arxiv_digest__diffusion_models" in bag.dag_ids


def test_tasks_and_dependencies(bag: DagBag) -> None:
    for dag in bag.dags.values():
        assert set(dag.task_ids) == TASKS
        upstream = {t.task_id: t.upstream_task_ids for t in dag.tasks}
        assert upstream == {
            "fetch_papers": set(),
            "batch_submit": {"fetch_papers"},
            "batch_wait": {"batch_submit"},
            "review_papers": {"fetch_papers", "batch_wait"},  # one task for the day's papers: stages overlap inside it
            "render_post": {"review_papers"},
            "publish_post": {"render_post"},
            "check_run": {"publish_post"},
        }
        # The post is rendered from whatever papers made it, and the run record is always written.
        assert dag.get_task("render_post").trigger_rule == "all_done"
        assert dag.get_task("check_run").trigger_rule == "all_done"
        # Waiting for a Batch API job gives the worker slot back between pokes.
        assert dag.get_task("batch_wait").mode == "reschedule"


def test_every_pool_is_declared_and_arxiv_is_one_request_at_a_time(bag: DagBag, pools: dict[str, Any]) -> None:
    for dag in bag.dags.values():
        for task in dag.tasks:
            assert task.pool in pools or task.pool == "default_pool", f"{task.task_id}: undeclared pool {task.pool}"
            assert task.pool_slots == 1
        for task_id in ARXIV_TASKS:
            assert dag.get_task(task_id).pool == "arxiv_api"
        assert dag.get_task("review_papers").pool == "llm_gemini"
        assert dag.get_task("publish_post").pool == "blog_git"
    assert pools["llm_gemini"]["slots"] == DEFAULT_QUOTAS["gemini"].pool_slots()  # sized from the default quota
    assert pools["arxiv_api"]["slots"] == 1
    assert pools["blog_git"]["slots"] == 1


def test_owner_retries_tags_doc_and_schedule(bag: DagBag) -> None:
    topics = {f"arxiv_digest__{t.slug}": t for t in load_topics(ROOT / "include" / "topics.yaml")}
    holidays = load_calendar(ROOT / "include" / "arxiv_holidays.yaml").holidays
    for dag_id, dag in bag.dags.items():
        topic = topics[dag_id]
        assert dag.owner == topic.owner
        assert dag.catchup is False
        assert {"arxiv-digest", topic.slug, *topic.tags} <= set(dag.tags)
        assert dag.doc_md and topic.name in dag.doc_md and topic.search_query() in dag.doc_md
        assert dag.description and topic.name in dag.description
        for task in dag.tasks:
            assert task.owner == topic.owner
            assert task.retries >= 1 and task.retry_delay > timedelta(0)
        assert isinstance(dag.timetable, ArxivListingTimetable)
        assert {date.fromisoformat(d) for d in dag.timetable.holidays} == set(holidays)


def test_timetable_survives_dag_serialization(bag: DagBag) -> None:
    from airflow.serialization.serialized_objects import DagSerialization

    dag = bag.dags["arxiv_digest__diffusion_models"]
    restored = DagSerialization.from_dict(json.loads(json.dumps(DagSerialization.to_dict(dag))))
    assert _is_listing_timetable(restored.timetable)
    assert restored.timetable.serialize() == dag.timetable.serialize()


def _is_listing_timetable(obj: object) -> bool:
    """Decoded through the plugin registry: Airflow may have loaded plugins/ as its own module copy."""
    return (type(obj).__module__, type(obj).__qualname__) == ("arxiv_timetable", "ArxivListingTimetable")


def _write_topics(tmp_path: Path, topics: list[dict[str, Any]]) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump({"topics": topics}, allow_unicode=True), encoding="utf-8")
    return path


def test_dag_per_topic_from_a_custom_topics_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write_topics(tmp_path, [
        {"name": "Diffusion Models", "query": 'abs:"diffusion model"', "tags": ["Diffusion"]},
        {"name": "Flow Matching", "query": 'abs:"flow matching"', "language": "en", "owner": "alice",
         "slug": "flows", "categories": ["cs.LG"]},
    ])
    monkeypatch.setenv("DIGEST_TOPICS", str(path))
    custom = dagbag()
    assert custom.import_errors == {}
    assert sorted(custom.dag_ids) == ["arxiv_digest__diffusion_models", "arxiv_digest__flows"]
    flows = custom.dags["arxiv_digest__flows"]
    assert flows.owner == "alice" and all(t.owner == "alice" for t in flows.tasks)
    assert "cat:cs.LG" in flows.doc_md
    assert "Diffusion" in custom.dags["arxiv_digest__diffusion_models"].tags


@pytest.mark.parametrize(("topics", "name", "field"), [
    ([{"name": "Diffusion Models", "query": "abs:diffusion", "max_papers": 0}], "Diffusion Models", "max_papers"),
    ([{"name": "Diffusion Models", "query": "abs:diffusion", "langauge": "en"}], "Diffusion Models", "langauge"),
    ([{"name": "Flow Matching", "query": "abs:flow", "categories": ["Computer Vision"]}], "Flow Matching",
     "categories"),
    ([{"name": "Score Models", "query": "abs:score", "language": "fr"}], "Score Models", "language"),
    ([{"name": "Diffusion Models", "query": "abs:a"}, {"name": "diffusion models", "query": "abs:b"}],
     "diffusion models", "name"),
], ids=["out-of-range", "unknown-field", "bad-category", "bad-language", "same-slug"])
def test_invalid_topics_file_is_an_import_error_naming_file_topic_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, topics: list[dict[str, Any]], name: str, field: str
) -> None:
    path = _write_topics(tmp_path, topics)
    monkeypatch.setenv("DIGEST_TOPICS", str(path))
    broken = dagbag()
    assert broken.dag_ids == []  # no DAG is half-built
    assert list(broken.import_errors) == [str(DAGS / "arxiv_digest_dags.py")]
    message = next(iter(broken.import_errors.values())).strip().splitlines()[-1]
    assert "TopicsError" in message
    assert str(path) in message
    assert f"topic '{name}'" in message
    assert f"field '{field}'" in message


# --- timetable ---------------------------------------------------------------------------------------------


def utc(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


def announced_plus(day: date, minutes: int = 90) -> datetime:
    """20:00 US-Eastern on the evening before ``day``, plus ``minutes``, computed independently of the code."""
    return datetime.combine(day - timedelta(days=1), time(20, 0), tzinfo=ET) + timedelta(minutes=minutes)


def runs(tt: ArxivListingTimetable, restriction: TimeRestriction, limit: int = 30) -> list[DagRunInfo]:
    """The automated runs the scheduler would create, in order, until the timetable stops or ``limit``."""
    out: list[DagRunInfo] = []
    last: DataInterval | None = None
    while len(out) < limit:
        info = tt.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        if info is None:
            break
        out.append(info)
        last = info.data_interval
    return out


def days(infos: list[DagRunInfo]) -> list[date]:
    return [i.data_interval.start.date() for i in infos]


def week(tt: ArxivListingTimetable, monday: pendulum.DateTime) -> list[DagRunInfo]:
    infos = runs(tt, TimeRestriction(earliest=monday, latest=None, catchup=True), limit=10)
    return [i for i in infos if i.data_interval.start < monday.add(days=7)]


def test_catchup_week_runs_monday_to_friday_with_listing_intervals() -> None:
    infos = week(ArxivListingTimetable(), utc(2024, 6, 17))
    assert days(infos) == [date(2024, 6, d) for d in (17, 18, 19, 20, 21)]
    for info in infos:
        day = info.data_interval.start.date()
        assert info.data_interval.start == datetime(day.year, day.month, day.day, tzinfo=UTC)
        assert info.data_interval.end == info.data_interval.start + timedelta(days=1)
        assert info.run_after == announced_plus(day)
    # Monday's listing is announced on Sunday evening: 20:00 EDT is midnight UTC.
    assert infos[0].run_after == utc(2024, 6, 17, 1, 30)
    # After Friday comes Monday.
    after = ArxivListingTimetable().next_dagrun_info(
        last_automated_data_interval=infos[-1].data_interval,
        restriction=TimeRestriction(earliest=utc(2024, 6, 17), latest=None, catchup=True))
    assert after is not None and after.data_interval.start == utc(2024, 6, 24)


@pytest.mark.parametrize(("monday", "first_run_after"), [
    (utc(2024, 3, 11), utc(2024, 3, 11, 1, 30)),  # DST began on Sunday 10 March: EDT
    (utc(2024, 11, 4), utc(2024, 11, 4, 2, 30)),  # DST ended on Sunday 3 November: EST
    (utc(2024, 12, 2), utc(2024, 12, 2, 2, 30)),
])
def test_run_after_follows_us_eastern_daylight_saving(monday: pendulum.DateTime, first_run_after: datetime) -> None:
    infos = week(ArxivListingTimetable(), monday)
    assert len(infos) == 5
    assert infos[0].run_after == first_run_after
    assert all(i.run_after == announced_plus(i.data_interval.start.date()) for i in infos)


def test_delay_is_configurable() -> None:
    infos = week(ArxivListingTimetable(delay_minutes=15), utc(2024, 6, 17))
    assert [i.run_after for i in infos] == [announced_plus(d, 15) for d in days(infos)]


def test_holiday_is_skipped() -> None:
    tt = ArxivListingTimetable(holidays=["2024-06-19"])
    assert days(week(tt, utc(2024, 6, 17))) == [date(2024, 6, d) for d in (17, 18, 20, 21)]
    # Thursday's listing is announced Wednesday evening as usual.
    assert week(tt, utc(2024, 6, 17))[2].run_after == announced_plus(date(2024, 6, 20))


def test_repository_holidays_skip_christmas() -> None:
    holidays = sorted(d.isoformat() for d in load_calendar(ROOT / "include" / "arxiv_holidays.yaml").holidays)
    assert "2024-12-25" in holidays
    infos = runs(ArxivListingTimetable(holidays=holidays),
                 TimeRestriction(earliest=utc(2024, 12, 23), latest=utc(2024, 12, 27), catchup=True))
    assert days(infos) == [date(2024, 12, 23), date(2024, 12, 24), date(2024, 12, 26), date(2024, 12, 27)]


@pytest.mark.parametrize(("earliest", "first"), [
    (utc(2024, 6, 17, 10), date(2024, 6, 18)),  # an interval may not start before start_date
    (utc(2024, 6, 22), date(2024, 6, 24)),  # Saturday: the first listing is Monday's
    (utc(2024, 6, 19), date(2024, 6, 19)),
])
def test_first_run_from_start_date(earliest: pendulum.DateTime, first: date) -> None:
    info = ArxivListingTimetable(holidays=[]).next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(earliest=earliest, latest=None, catchup=True))
    assert info is not None and info.data_interval.start.date() == first


def test_no_start_date_means_no_run() -> None:
    tt = ArxivListingTimetable()
    restriction = TimeRestriction(earliest=None, latest=None, catchup=True)
    assert tt.next_dagrun_info(last_automated_data_interval=None, restriction=restriction) is None


def test_without_catchup_the_first_run_is_the_newest_announced_listing() -> None:
    tt = ArxivListingTimetable()
    before = datetime.now(UTC)
    info = tt.next_dagrun_info(last_automated_data_interval=None,
                               restriction=TimeRestriction(earliest=utc(2024, 1, 1), latest=None, catchup=False))
    after = datetime.now(UTC)
    assert info is not None
    day = info.data_interval.start.date()
    calendar = ArxivCalendar()
    assert calendar.is_listing_day(day)
    assert calendar.announced_at(day) <= after  # already public ...
    assert calendar.announced_at(calendar.next_listing(day + timedelta(days=1))) > before  # ... and the newest


def test_latest_stops_scheduling() -> None:
    tt = ArxivListingTimetable()
    infos = runs(tt, TimeRestriction(earliest=utc(2024, 6, 17), latest=utc(2024, 6, 19, 12), catchup=True))
    assert days(infos) == [date(2024, 6, 17), date(2024, 6, 18), date(2024, 6, 19)]
    restriction = TimeRestriction(earliest=utc(2024, 6, 22), latest=utc(2024, 6, 23, 23), catchup=True)
    assert tt.next_dagrun_info(last_automated_data_interval=None, restriction=restriction) is None  # a weekend


def test_serialize_round_trip() -> None:
    tt = ArxivListingTimetable(holidays=["2024-12-25", "2024-06-19"], delay_minutes=45)
    data = json.loads(json.dumps(tt.serialize()))
    back = ArxivListingTimetable.deserialize(data)
    assert back.serialize() == tt.serialize() == {"holidays": ["2024-06-19", "2024-12-25"], "delay_minutes": 45}
    assert [(i.data_interval, i.run_after) for i in week(back, utc(2024, 6, 17))] == [
        (i.data_interval, i.run_after) for i in week(tt, utc(2024, 6, 17))]
    assert len(week(back, utc(2024, 6, 17))) == 4


def test_airflow_encodes_and_decodes_the_registered_timetable() -> None:
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable

    tt = ArxivListingTimetable(holidays=["2024-06-19"], delay_minutes=30)
    back = decode_timetable(json.loads(json.dumps(encode_timetable(tt))))
    assert _is_listing_timetable(back)
    assert back.serialize() == tt.serialize()


@pytest.mark.parametrize("run_after", [utc(2024, 6, 20, 15), pendulum.datetime(2024, 6, 20, 9, tz="America/New_York")])
def test_manual_run_covers_the_utc_date_of_run_after(run_after: pendulum.DateTime) -> None:
    interval = ArxivListingTimetable().infer_manual_data_interval(run_after=run_after)
    assert interval.start == utc(2024, 6, 20) and interval.end == utc(2024, 6, 21)
    assert interval.start.tzinfo is not None
