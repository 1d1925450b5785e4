"""The text a record page shows, gathered from the record's own fields for the search index."""

from __future__ import annotations

from datetime import date
from functools import cache

from pydantic import BaseModel

# Fields no page shows as text: identifiers, web addresses (shown as links), references by id
# (their names are added by the kind), dates and yes/no flags.
NOT_SHOWN = frozenset({"id", "url", "online", "source_url", "power", "related_powers", "supersedes",
                       "issuers", "lead", "lead_units", "responsible_units", "publisher", "board"})


def shown_text(record: BaseModel, skip: frozenset[str] = NOT_SHOWN) -> list[str]:
    """Every string (and number) of `record` and its parts, in field order, except `skip` fields."""
    out: list[str] = []
    append = out.append

    def walk(value) -> None:
        kind = type(value)
        if kind is str:  # the common cases first: a city's records are mostly strings, unset fields
            append(value)
        elif value is None:
            return
        elif kind is list or kind is tuple:
            for item in value:
                walk(item)
        elif isinstance(value, BaseModel):
            fields = value.__dict__  # pydantic keeps field values here; getattr costs 3x as much
            for name in _shown_fields(type(value), skip):
                walk(fields[name])
        elif isinstance(value, str):
            append(value)
        elif isinstance(value, int) and not isinstance(value, (bool, date)):
            append(str(value))

    walk(record)
    return out


@cache
def _shown_fields(model: type[BaseModel], skip: frozenset[str]) -> tuple[str, ...]:
    return tuple(name for name in model.model_fields if name not in skip)
