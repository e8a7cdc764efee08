"""Shared pieces of the CLI face: state, output, error reporting.

stdout carries data, stderr carries diagnostics. NO_COLOR is respected (rich
honours it). Nothing here is imported below cli/.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sys
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.domain import Actor, LctasksError, NotFoundError, Source
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

MESSAGES.add(
    {
        "cli.db_missing": ("没有数据库文件 {path}", "no database file {path}"),
        "cli.db_missing.hint": (
            "检查 --db（或 LCTASKS_DB）的路径是否写错；要在此新建数据库，"
            "用同一个 --db 运行 lctasks import",
            "check the --db (or LCTASKS_DB) path for a typo; to create a database "
            "there, run lctasks import with the same --db",
        ),
    }
)

if TYPE_CHECKING:
    # type-only: the CLI fast path (lctasks.cli.fast) uses this module without typer
    import typer


@dataclass
class CliState:
    db: str | None = None
    actor_name: str | None = None
    json: bool = False
    plan: str | None = None
    actor_explicit: bool = False  # --as was typed on the command line (not LCTASKS_USER)
    create: bool = False  # import / restore may create the database --db names
    _database: Any = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    def actor(self) -> Actor:
        """Who is acting. SQLite: --as / LCTASKS_USER / the OS user, trusted.

        PostgreSQL: the database login, always; a --as naming somebody else is
        refused (PermissionDeniedError), LCTASKS_USER is ignored.
        """
        if self._actor is not None:
            return self._actor
        name = self.actor_name or os.environ.get("LCTASKS_USER") or _os_user()
        from lctasks.db.engine import resolve_url

        if resolve_url(self.db).startswith("sqlite"):
            self._actor = Actor(name=name, source=Source.CLI)
        else:
            from lctasks.services.access import identify

            # a name that is not LCTASKS_USER's came from --as (also on the fast path)
            explicit = self.actor_explicit or (
                self.actor_name is not None and self.actor_name != os.environ.get("LCTASKS_USER")
            )
            self._actor = identify(self.database(), name, explicit=explicit)
        return self._actor

    def database(self) -> Any:
        """Open the database once per call (heavy imports happen here, not at start)."""
        if self._database is None:
            from lctasks.db.engine import open_database

            if not self.create:
                require_existing_db(self.db)
            self._database = open_database(self.db)
        return self._database


def require_existing_db(db: str | None) -> None:
    """A --db / LCTASKS_DB path that does not exist is a typo until proven otherwise.

    Only the default location (no --db), a ``sqlite:///`` URL and an explicit
    ``import`` or ``restore`` create a database; anything else names the missing
    file (exit 3) and creates neither it nor its directories.
    """
    from pathlib import Path

    value = db if db is not None else os.environ.get("LCTASKS_DB", "")
    if not value or "://" in value:
        return  # the default location, or a URL (a deliberate choice, as for PostgreSQL)
    path = Path(value).expanduser()
    if not path.exists():
        raise NotFoundError(
            t("cli.db_missing", path=path),
            hint=t("cli.db_missing.hint"),
            ids=(str(path),),
        )


def typed_date(text: str) -> dt.date:
    """A date as people type it (2025-12-31, 2026年6月底前, +30d …), relative to today."""
    from lctasks.dates import parse_date

    return parse_date(text, today=clock.today())


def service_context(ctx: typer.Context) -> Any:
    """The ``ServiceContext`` of this call: its database and acting person."""
    from lctasks.services.base import ServiceContext

    st = state(ctx)
    return ServiceContext(st.database(), st.actor())


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def want_json(ctx: typer.Context, flag: bool) -> bool:
    """JSON output wanted (global or per-command ``--json``).

    Call it on a command's first line: it records the choice so that an error
    raised later is reported as JSON too.
    """
    st = state(ctx)
    if flag:
        st.json = True
    return st.json


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))
    sys.stdout.write("\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def error_json(exc: LctasksError) -> dict[str, Any]:
    """An error as scripts read it: the ``"error"`` object of every JSON answer."""
    return {
        "type": exc.kind,
        "message": exc.message,
        "hint": exc.hint,
        "ids": list(exc.ids),
        "exit_code": exc.exit_code,
    }


def report_error(exc: LctasksError, *, as_json: bool) -> None:
    if as_json:
        payload = {"error": error_json(exc)}
        sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    err(f"{t('error')}{t('colon')}{exc.message}")
    if exc.hint:
        err(f"{t('hint')}{t('colon')}{exc.hint}")
