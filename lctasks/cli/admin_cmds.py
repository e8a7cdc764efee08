"""`lctasks backup FILE` and `lctasks restore FILE`: a verified copy, and back.

A backup is an lctasks SQLite file whichever back end it came from; it can be
restored into SQLite or PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from lctasks.cli.common import err, out, print_json, state, want_json
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.services.backup import BackupService, CopyResult

MESSAGES.add(
    {
        "backup.done": (
            "已备份到 {path}：{rows} 行（{tables} 个表），{events} 条事件，历史校验{chain}，"
            "{size}，用时 {secs:.1f} 秒（{method}）",
            "backed up to {path}: {rows} rows in {tables} tables, {events} events, chain "
            "{chain}, {size}, {secs:.1f} s ({method})",
        ),
        "restore.done": (
            "已从 {path} 恢复：{rows} 行（{tables} 个表），{events} 条事件，历史校验{chain}，"
            "用时 {secs:.1f} 秒",
            "restored from {path}: {rows} rows in {tables} tables, {events} events, chain "
            "{chain}, {secs:.1f} s",
        ),
        "chain.ok": ("通过", "valid"),
        "chain.bad": ("未通过", "BROKEN"),
        "restore.logins": (
            "提示：PostgreSQL 登录名不在备份中；在新服务器上用 lctasks people set / people add "
            "--login 重建",
            "note: PostgreSQL logins are not in a backup; on a new server recreate them with "
            "lctasks people add --login",
        ),
    }
)


def _service(ctx: typer.Context) -> BackupService:
    from lctasks.services.backup import BackupService
    from lctasks.services.base import ServiceContext

    st = state(ctx)
    return BackupService(ServiceContext(st.database(), st.actor()))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _payload(res: CopyResult) -> dict[str, object]:
    return {
        "path": res.path,
        "method": res.method,
        "rows": res.rows,
        "total_rows": res.total_rows,
        "events": res.events,
        "chain_ok": res.chain_ok,
        "bytes": res.bytes,
        "seconds": round(res.seconds, 3),
    }


def backup(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Backup file to write (an lctasks SQLite file).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Write a verified backup (SQLite: online backup; PostgreSQL: a portable copy)."""
    res = _service(ctx).backup(file, force=force)
    if want_json(ctx, json_):
        print_json(_payload(res))
        return
    out(
        t(
            "backup.done",
            path=res.path,
            rows=res.total_rows,
            tables=len(res.rows),
            events=res.events,
            chain=t("chain.ok" if res.chain_ok else "chain.bad"),
            size=_size(res.bytes),
            secs=res.seconds,
            method=res.method,
        )
    )


def restore(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A file written by lctasks backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the contents of a database that has data.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Restore a backup into --db (all or nothing; the chain is verified)."""
    st = state(ctx)
    st.create = True  # restoring into a new file is how a copy is set up
    res = _service(ctx).restore(file, force=force)
    if want_json(ctx, json_):
        print_json(_payload(res))
        return
    out(
        t(
            "restore.done",
            path=res.path,
            rows=res.total_rows,
            tables=len(res.rows),
            events=res.events,
            chain=t("chain.ok" if res.chain_ok else "chain.bad"),
            secs=res.seconds,
        )
    )
    if not st.database().is_sqlite and res.rows.get("people"):
        err(t("restore.logins"))


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
