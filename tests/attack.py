"""What someone who can write the database (SQLite file, PostgreSQL owner or
superuser) does to a history, for the attack tests: plain SQL, no lctasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.services.audit import event_hash
from lctasks.services.keys import key_id, mac_of


def rehash(db: Database, since: int, *, key: str | None = None, drop_mac: bool = False) -> None:
    """Recompute prev_hash/hash of every event from ``since`` on (after an edit).

    ``key``: the attacker has the office's key and re-signs too; otherwise the
    old macs stay (or, ``drop_mac``, are blanked).
    """
    with db.write() as s:
        rows = list(s.scalars(select(EventRow).order_by(EventRow.seq)))
        prev = rows[since - 2].hash if since > 1 else "0" * 64
        for row in rows[since - 1 :]:
            row.prev_hash = prev
            row.hash = event_hash(row)
            if key is not None:
                secret = key.encode()
                row.mac = f"{key_id(secret)}:{mac_of(secret, row.hash)}"
            elif drop_mac:
                row.mac = ""
            prev = row.hash
            s.flush()


def sql(db: Database, statement: str, **params: Any) -> None:
    with db.engine.begin() as c:
        c.execute(text(statement), params)


def swap(db: Database, a: int, b: int) -> None:
    """Swap the seq numbers of two events (each keeps its own hash)."""
    sql(db, "UPDATE events SET seq = 1000000 WHERE seq = :a", a=a)
    sql(db, "UPDATE events SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(db, "UPDATE events SET seq = :b WHERE seq = 1000000", b=b)
