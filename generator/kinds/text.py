"""The text a record page shows, gathered from the record's own fields for the search index."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

# Fields no page shows as text: identifiers, web addresses (shown as links), references by id
# (their names are added by the kind), dates and yes/no flags.
NOT_SHOWN = frozenset({"id", "url", "online", "source_url", "power", "related_powers", "supersedes",
                       "issuers", "lead", "lead_units", "responsible_units", "publisher", "board"})


def shown_text(record: BaseModel, skip: frozenset[str] = NOT_SHOWN) -> list[str]:
    """Every string (and number) of `record` and its parts, in field order, except `skip` fields."""
    out: list[str] = []

    def walk(value) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name not in skip:
                    walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            out.append(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append(str(value))
        elif value is None or isinstance(value, (bool, date)):
            return

    walk(record)
    return out
