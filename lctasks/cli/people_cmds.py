"""`lctasks people add / set / list / remove`: who may do what.

Roles: supervisor (督查室, everything), liaison (their unit's tasks: progress,
checklist, notes, status in_progress/blocked/done), viewer (read only). While
nobody is on record everyone is trusted (single-user mode).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from lctasks.cli.common import out, print_json, state, want_json
from lctasks.i18n import CLI as MESSAGES
from lctasks.i18n import cli_t as t

if TYPE_CHECKING:
    from lctasks.domain import Person
    from lctasks.services.people import PeopleService

MESSAGES.add(
    {
        "people.added": ("已登记：{who}", "added: {who}"),
        "people.changed": ("已修改：{who}", "changed: {who}"),
        "people.removed": ("已移除：{who}", "removed: {who}"),
        "people.none": (
            "尚未登记任何人员：单用户模式，所有能打开数据库的人都被信任",
            "nobody is on record: single-user mode, everyone who can open the database is trusted",
        ),
        "people.col.name": ("名称", "name"),
        "people.col.role": ("角色", "role"),
        "people.col.unit": ("单位", "unit"),
        "people.col.login": ("数据库登录", "login"),
        "people.col.display": ("姓名/备注", "display name"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
    }
)

ROLE_HELP = "supervisor (督查室) | liaison (单位联络员) | viewer (只读)"


def _service(ctx: typer.Context) -> PeopleService:
    from lctasks.services.base import ServiceContext
    from lctasks.services.people import PeopleService

    st = state(ctx)
    return PeopleService(ServiceContext(st.database(), st.actor()))


def _describe(p: Person) -> str:
    parts = [t(f"role.{p.role.value}")]
    if p.unit:
        parts.append(p.unit)
    if p.login:
        parts.append(t("people.col.login"))
    extra = f" {p.display_name}" if p.display_name else ""
    return f"{p.name}{extra}（{'，'.join(parts)}）"


def people_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Person's name; on PostgreSQL the database login.")],
    role: Annotated[str, typer.Option("--role", "-r", help=ROLE_HELP)],
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="Unit (required for a liaison).")
    ] = None,
    display_name: Annotated[
        str, typer.Option("--display-name", help="Full name or note shown in lists.")
    ] = "",
    login: Annotated[
        bool,
        typer.Option(
            "--login",
            help="PostgreSQL: create the database login (or take over an existing one) "
            "and grant it the role's group.",
        ),
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="With --login: read the password from stdin."),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Put a person on record with a role (and unit)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    person = _service(ctx).add(
        name, role, unit, display_name=display_name, login=login, password=password
    )
    if want_json(ctx, json_):
        print_json(person)
    else:
        out(t("people.added", who=_describe(person)))


def people_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Person's name.")],
    role: Annotated[str | None, typer.Option("--role", "-r", help=ROLE_HELP)] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="New unit.")] = None,
    no_unit: Annotated[bool, typer.Option("--no-unit", help="Clear the unit.")] = False,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="Full name or note.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Change a person's role, unit or display name."""
    person = _service(ctx).set(
        name, role=role, unit=unit, no_unit=no_unit, display_name=display_name
    )
    if want_json(ctx, json_):
        print_json(person)
    else:
        out(t("people.changed", who=_describe(person)))


def people_list(
    ctx: typer.Context,
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="The table as CSV (UTF-8), for a spreadsheet.")
    ] = False,
) -> None:
    """Everyone on record, with role, unit and (PostgreSQL) login."""
    people = _service(ctx).list()
    if want_json(ctx, json_):
        print_json(people)
        return
    if not people:
        out(t("people.none"))
        return
    header = [t("people.col.name"), t("people.col.role"), t("people.col.unit")]
    show_login = any(p.login is not None for p in people)
    if show_login:
        header.append(t("people.col.login"))
    header.append(t("people.col.display"))
    rows: list[list[str]] = []
    for p in people:  # the role as people read it, with the word --role takes
        cells = [p.name, t(f"role.{p.role.value}"), p.unit or "—"]
        if show_login:
            cells.append(t("yes") if p.login else t("no"))
        cells.append(p.display_name or "")
        rows.append(cells)
    from lctasks.cli.output import print_table

    print_table(header, rows, csv=csv)


def people_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Person's name.")],
    json_: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Take a person off the record (a PostgreSQL login leaves the lctasks groups)."""
    person = _service(ctx).remove(name)
    if want_json(ctx, json_):
        print_json(person)
    else:
        out(t("people.removed", who=_describe(person)))


def register(app: typer.Typer) -> None:
    people = typer.Typer(
        name="people",
        help="People, roles (supervisor / liaison / viewer) and units.",
        no_args_is_help=True,
    )
    people.command("add")(people_add)
    people.command("set")(people_set)
    people.command("list")(people_list)
    people.command("remove")(people_remove)
    app.add_typer(people, name="people")
