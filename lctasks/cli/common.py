"""Shared pieces of the CLI face: state, output, error reporting.

stdout carries data, stderr carries diagnostics. NO_COLOR is respected (rich
honours it). Nothing here is imported below cli/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import os
import sys
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import TYPE_CHECKING, Any

from lctasks import clock
from lctasks.domain import LctasksError, NotFoundError, OutputError, Source
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t
from lctasks.textsafe import json_text, visible

MESSAGES.add(
    {
        "usage.json_csv": (
            "--json 与 --csv 只能选一个",
            "--json and --csv cannot be used together",
        ),
        "usage.json_csv.hint": (
            "程序读取用 --json，电子表格用 --csv",
            "--json for a program, --csv for a spreadsheet",
        ),
        "out.failed_saved": (
            "更改已保存，但结果无法写出（{detail}）",
            "the change was made, but its output could not be written ({detail})",
        ),
        "out.failed_saved.hint": (
            "不要重复执行：用 lctasks history / lctasks log 查看已做的更改",
            "do not run it again: see what was done with lctasks history / lctasks log",
        ),
        "out.failed": (
            "结果无法写出（{detail}）；未做任何更改",
            "the output could not be written ({detail}); nothing was changed",
        ),
        "out.failed.hint": (
            "检查输出目标（磁盘空间、终端或管道）后重试",
            "check where the output goes (disk space, terminal, pipe) and try again",
        ),
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

    from lctasks.domain import Actor  # built on first use: a read never needs it


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
        from lctasks.db.urls import resolve_url
        from lctasks.domain import Actor

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
    write_out(json_text(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2)) + "\n")


def out(text: str = "") -> None:
    """Human output: control characters from the data shown visibly (lctasks.textsafe)."""
    write_out(visible(text) + "\n")


def write_out(text: str) -> None:
    """stdout, where a full disk is an OutputError (exit 9), not a traceback."""
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): handled as a quiet end
    except OSError as exc:
        raise output_error(exc) from exc


def output_error(exc: OSError) -> OutputError:
    """stdout failed (e.g. ENOSPC on a full disk): say whether the change was saved.

    Later flushes of what is still buffered go to the null device, so the
    interpreter does not fail again at exit.
    """
    import os

    from lctasks.db.sql import COMMITS

    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    detail = exc.strerror or str(exc)
    if COMMITS:
        return OutputError(t("out.failed_saved", detail=detail), hint=t("out.failed_saved.hint"))
    return OutputError(t("out.failed", detail=detail), hint=t("out.failed.hint"))


def flush_stdout() -> int | None:
    """Flush stdout at the end of a call: None if fine, else the exit code after
    reporting the error on stderr (a closed pipe is fine: 0)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValueError):  # stdout already closed
            return None
        error = output_error(exc)
        report_error(error, as_json="--json" in sys.argv[1:])
        return error.exit_code
    return None


def err(text: str) -> None:
    sys.stderr.write(visible(text) + "\n")


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
        sys.stderr.write(json_text(json.dumps(payload, ensure_ascii=False)) + "\n")
        return
    err(f"{t('error')}{t('colon')}{exc.message}")
    if exc.hint:
        err(f"{t('hint')}{t('colon')}{exc.hint}")
