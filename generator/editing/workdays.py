"""Working days by the official Chinese calendar (generator/data/holidays.yaml).

A day is a working day when it is Monday to Friday and not a public holiday, or when it
is a weekend day officially worked in exchange for a holiday (调休上班). Outside the
years the data file covers, Monday to Friday are counted as working days.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.yaml"


@dataclass(frozen=True)
class Calendar:
    holidays: dict[date, str]
    workdays: dict[date, str]  # weekend days worked in exchange
    first_year: int
    last_year: int

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start`."""
        day = start
        while n > 0:
            day += timedelta(days=1)
            n -= self.is_workday(day)
        return day


def _dates(mapping: dict | None) -> dict[date, str]:
    return {d if isinstance(d, date) else date.fromisoformat(str(d)): str(name) for d, name in (mapping or {}).items()}


@functools.lru_cache(maxsize=4)
def load_calendar(path: Path = DATA_FILE) -> Calendar:
    data = yaml.safe_load(path.read_text("utf-8"))
    first, last = data["years"]
    return Calendar(_dates(data.get("holidays")), _dates(data.get("workdays")), int(first), int(last))
