"""Who changed what, and when: a task's history, the filtered log, chain checks.

Read-only; every method is one read transaction and returns domain ``Event``s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from lctasks.db.models import EventRow, PlanRow, TaskRow
from lctasks.db.sql import SessionRunner
from lctasks.domain import Event, InvalidInputError, NotFoundError
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t
from lctasks.keys import did_you_mean, normalize_keys
from lctasks.services.base import ServiceContext
from lctasks.services.chain import Anchor, anchor_line, read_anchor_file
from lctasks.services.event_reads import (
    KNOWN_ACTIONS,
    LogFilter,
    log_events,
    log_query,
    task_events,
)
from lctasks.services.verify import verify_history
from lctasks.services.verify_result import VerifyResult

MESSAGES.add(
    {
        "log.action": ("未知动作“{value}”", "unknown action '{value}'"),
        "log.action.hint": ("可用：{allowed}", "use one of: {allowed}"),
        "verify.anchor.read": (
            "无法读取锚点文件 {file}：{error}",
            "cannot read anchor file {file}: {error}",
        ),
        "verify.anchor.write": (
            "无法写入锚点文件 {file}：{error}",
            "cannot write anchor file {file}: {error}",
        ),
        "key.rotate_env": (
            "密钥来自环境变量 LCTASKS_CHAIN_KEY，无法在此轮换",
            "the key comes from LCTASKS_CHAIN_KEY and cannot be rotated here",
        ),
        "verify.anchor.none": ("{file} 中没有历史锚点", "{file} holds no history anchor"),
        "verify.anchor.none.hint": (
            "锚点来自 `lctasks log --anchor`、快照、会议材料或单位工作簿",
            "anchors come from `lctasks log --anchor`, snapshots, meeting packs or unit workbooks",
        ),
    }
)


class HistoryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def history(self, key: str, *, plan: str | None = None) -> list[Event]:
        """Every event of one task, oldest first. Unknown IDs raise NotFoundError."""
        keys = normalize_keys([key])
        if not keys:
            raise InvalidInputError(t("history.unknown", id=key))
        wanted = keys[0]
        with self.ctx.db.read() as s:
            events = task_events(SessionRunner(s), wanted, plan)
            if events is None:
                _require_task(s, wanted, plan)  # raises NotFoundError, with the nearest IDs
                raise AssertionError(wanted)
            return events

    def log(self, flt: LogFilter | None = None) -> list[Event]:
        """Events matching every given filter, newest first (``limit``: the newest N)."""
        f = flt or LogFilter()
        query = log_query(f)
        with self.ctx.db.read() as s:
            events = log_events(SessionRunner(s), **query)
            if not events:
                # nothing found: say so if the filter itself was wrong (typo'd ID or action)
                if f.task:
                    _require_task(s, query["task"], None)
                action = query["action"]
                if action and action not in KNOWN_ACTIONS:
                    recorded = set(s.scalars(select(EventRow.action).distinct()))
                    if action not in recorded:
                        names = ", ".join(sorted(KNOWN_ACTIONS | recorded))
                        raise InvalidInputError(
                            t("log.action", value=f.action),
                            hint=t("log.action.hint", allowed=names),
                        )
            return events

    def verify(
        self, *, against: Sequence[str | os.PathLike[str]] = (), replay: bool = True
    ) -> VerifyResult:
        """Chain, keyed chain, anchors (read from the ``against`` files) and replay.

        A file that cannot be read, or holds no anchor, is an InvalidInputError
        (exit 4) before anything is checked: a misspelt path never passes.
        """
        from lctasks.services.keys import load_keyring

        anchors = read_anchors(against)
        ring = load_keyring()
        with self.ctx.db.read() as s:
            return verify_history(s, anchors=anchors, replay=replay, keyring=ring)

    def head(self) -> Anchor:
        """The newest event as an anchor (seq 0 and the genesis hash: no history yet)."""
        from lctasks.services.chain import GENESIS, utcnow

        with self.ctx.db.read() as s:
            row = s.execute(
                select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
            ).first()
        now = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        return Anchor(int(row[0]), str(row[1]), now) if row else Anchor(0, GENESIS, now)

    def write_anchor(self, path: str | os.PathLike[str]) -> Anchor:
        """Append the head to an anchor file (created when missing); returns it."""
        from lctasks.services.chain import append_anchor

        head = self.head()
        try:
            append_anchor(path, anchor_line(head.seq, head.hash))
        except OSError as exc:
            raise InvalidInputError(
                t("verify.anchor.write", file=os.fspath(path), error=exc.strerror or str(exc))
            ) from exc
        return head

    def rotate_key(self) -> tuple[str | None, str, str]:
        """Add a new random key to the key file and record the rotation (an event).

        Returns (old key id, new key id, key file). The key named by
        LCTASKS_CHAIN_KEY cannot be rotated here (it is not in a file).
        """
        from lctasks.services import keys
        from lctasks.services.audit import EventLog

        if os.environ.get(keys.KEY_ENV):
            raise InvalidInputError(t("key.rotate_env"), hint=t("key.hint"))
        path = keys.key_file() or keys.default_key_file()
        before = keys.load_keyring().current
        try:
            keys.append_secret(path, keys.new_secret())
        except OSError as exc:
            raise InvalidInputError(
                t("verify.anchor.write", file=str(path), error=exc.strerror or str(exc))
            ) from exc
        with self.ctx.db.write() as s:
            row = EventLog(s, self.ctx.actor).record_key()
        old, new = row.changes["key"][0], row.changes["key"][1]  # type: ignore[index]
        return (str(old) if old else before), str(new), str(path)


def read_anchors(paths: Sequence[str | os.PathLike[str]]) -> list[Anchor]:
    """Every anchor in the files, in order; a missing file or one without anchors fails."""
    out: list[Anchor] = []
    for path in paths:
        name = os.fspath(path)
        try:
            found = read_anchor_file(path)
        except OSError as exc:
            raise InvalidInputError(
                t("verify.anchor.read", file=name, error=exc.strerror or str(exc))
            ) from exc
        if not found:
            raise InvalidInputError(
                t("verify.anchor.none", file=name), hint=t("verify.anchor.none.hint")
            )
        out += found
    return out


# the workflow's actions (other modules record more: those are known once recorded)
def _require_task(s: Session, key: str, plan: str | None) -> None:
    """NotFoundError, with the nearest IDs, unless some plan (or ``plan``) has ``key``."""
    in_plan = [PlanRow.code == plan] if plan else []
    exists = s.execute(
        select(TaskRow.id)
        .join(PlanRow, PlanRow.id == TaskRow.plan_id)
        .where(TaskRow.key == key, *in_plan)
        .limit(1)
    ).first()
    if exists is not None:
        return
    keys = list(
        s.scalars(
            select(TaskRow.key)
            .join(PlanRow, PlanRow.id == TaskRow.plan_id)
            .where(TaskRow.removed.is_(False), *in_plan)
        )
    )
    hint = t("semi").join([*did_you_mean(keys, [key]), t("history.unknown.hint")])
    raise NotFoundError(t("history.unknown", id=key), hint=hint, ids=(key,))
