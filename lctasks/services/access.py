"""Who may do what (issue 6 fills this in: roles supervisor / liaison / viewer).

Workflow services call ``require(session, actor, action, task)`` inside their
write transaction before changing anything; it raises PermissionDeniedError.
Until roles are configured in a database (no rows in ``people``), everyone is
trusted, as on a single-user SQLite laptop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lctasks.db.models import TaskRow
    from lctasks.domain import Actor


def require(session: Session, actor: Actor, action: str, task: TaskRow | None = None) -> None:
    """Raise PermissionDeniedError when ``actor`` may not do ``action`` on ``task``."""
    return None
