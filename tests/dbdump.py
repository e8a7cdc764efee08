"""Every row of every lctasks table, normalised so that two back ends compare equal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from lctasks.db.engine import Database
from lctasks.db.models import Base


def _norm(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == "lctasks_chain":
                continue  # the chain lock row: every database has its own
            order = list(table.primary_key.columns) or list(table.columns)
            rows = s.execute(select(table).order_by(*order))
            out[table.name] = [tuple(_norm(v) for v in row) for row in rows]
    return out
