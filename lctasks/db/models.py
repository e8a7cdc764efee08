"""SQLAlchemy 2 typed models. Portable: nothing SQLite-only, nothing PostgreSQL-only.

Change a model only together with a new Alembic revision in
``lctasks/db/migrations/versions``; ``tests/functional/test_migrations.py`` checks that the
two agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str] = mapped_column(String(80), default="")
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    source_name: Mapped[str] = mapped_column(Text, default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PlanNodeRow(Base):
    """Parts, chapters, sections and boxes of a plan: the browsable tree.

    kind: part | chapter | section | box | preamble | unplaced.
    ``number`` is the printed number (box number for boxes, line for unplaced);
    ``chapter`` is the owning chapter (for sections, boxes), ``part`` the owning
    part (for chapters).
    """

    __tablename__ = "plan_nodes"
    __table_args__ = (
        UniqueConstraint("plan_id", "kind", "chapter", "number", name="uq_plan_nodes_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    part: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chapter: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # box text, unplaced text, prose
    line: Mapped[int] = mapped_column(Integer, default=0)
    is_reference: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")  # e.g. "printed after chapter 11"


class UnitRow(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    short: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)


class TaskRow(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("plan_id", "key", name="uq_tasks_plan_key"),
        Index("ix_tasks_plan_status", "plan_id", "status"),
        Index("ix_tasks_plan_due", "plan_id", "due"),
        Index("ix_tasks_lead", "lead_unit_id"),
        # bounded columns (migration 0003; the same on both back ends)
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("start >= '2000-01-01' AND start <= '2100-12-31'", name="start_range"),
        CheckConstraint("due >= '2000-01-01' AND due <= '2100-12-31'", name="due_range"),
        CheckConstraint(
            "original_due IS NULL OR "
            "(original_due >= '2000-01-01' AND original_due <= '2100-12-31')",
            name="original_due_range",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    chapter: Mapped[int] = mapped_column(Integer)
    section: Mapped[int | None] = mapped_column(Integer, nullable=True)
    box: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category: Mapped[str | None] = mapped_column(String(80), nullable=True)
    title: Mapped[str] = mapped_column(Text)
    source_text: Mapped[str] = mapped_column(Text, default="")
    line: Mapped[int] = mapped_column(Integer, default=0)
    attrs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    status: Mapped[str] = mapped_column(String(16), default="not_started")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    start: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date)
    due_basis: Mapped[str] = mapped_column(String(16), default="inferred")
    due_text: Mapped[str] = mapped_column(Text, default="")
    original_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    lead_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), nullable=True
    )
    person: Mapped[str | None] = mapped_column(String(80), nullable=True)
    leader: Mapped[str | None] = mapped_column(String(80), nullable=True)
    suggested_lead: Mapped[str | None] = mapped_column(String(40), nullable=True)
    suggested_co: Mapped[list[str]] = mapped_column(JSON, default=list)
    suggested_rules: Mapped[list[str]] = mapped_column(JSON, default=list)

    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    lead_unit: Mapped[UnitRow | None] = relationship(lazy="joined")
    co_units: Mapped[list[CoUnitRow]] = relationship(
        cascade="all, delete-orphan", order_by="CoUnitRow.position", lazy="selectin"
    )
    checklist: Mapped[list[ChecklistRow]] = relationship(
        cascade="all, delete-orphan", order_by="ChecklistRow.seq", lazy="selectin"
    )


class CoUnitRow(Base):
    __tablename__ = "task_co_units"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[UnitRow] = relationship(lazy="joined")


class ChecklistRow(Base):
    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("task_id", "seq", name="uq_checklist_task_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    # targets: list of {text, value, unit, deadline (ISO), yearly}
    targets: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)


class ProgressRow(Base):
    __tablename__ = "progress_reports"
    __table_args__ = (
        Index("ix_progress_task_at", "task_id", "at"),
        CheckConstraint(
            "percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent_range"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(16), default="")
    made: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EventRow(Base):
    """Append-only history, hash-chained: hash = sha256(prev_hash + canonical(event))."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_plan_task", "plan_code", "task_key"),
        Index("ix_events_at", "at"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24))
    plan_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    task_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    changes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "<key id>:<HMAC-SHA256(key, hash)>" with the office's key (services/keys.py); "" unkeyed
    mac: Mapped[str] = mapped_column(String(80), default="", server_default="")


class PersonRow(Base):
    """People who act on the ledger, with their role and (for liaisons) unit."""

    __tablename__ = "people"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), nullable=True
    )
    display_name: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[UnitRow | None] = relationship(lazy="joined")


class MetaRow(Base):
    """Key/value facts about the database itself (schema marker, settings)."""

    __tablename__ = "lctasks_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class ActualRow(Base):
    """A reached value (or, for a text target, an assessment) for one period.

    Never updated: a correction is a newer record for the same period. ``item`` is
    the checklist item's seq (1 for an indicator), ``target`` the index of the target
    in that item; ``unit_id`` is the county or zone of a share (NULL: the whole city).
    ``period`` is ``2023`` or ``2023Q2``.
    """

    __tablename__ = "actuals"
    __table_args__ = (Index("ix_actuals_task", "task_id", "item", "target", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    item: Mapped[int] = mapped_column(Integer, default=1)
    target: Mapped[int] = mapped_column(Integer, default=0)
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), nullable=True
    )
    period: Mapped[str] = mapped_column(String(8))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    assessment: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ShareRow(Base):
    """A county's or zone's share of a target, set by the office (e.g. the province's split)."""

    __tablename__ = "target_shares"
    __table_args__ = (
        UniqueConstraint("task_id", "item", "target", "unit_id", name="uq_target_shares_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    item: Mapped[int] = mapped_column(Integer, default=1)
    target: Mapped[int] = mapped_column(Integer, default=0)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    compare: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[UnitRow] = relationship(lazy="joined")


class ChainLockRow(Base):
    """One row (id = 1) a writer locks before appending events (migration 0003).

    On PostgreSQL locking a row needs UPDATE privilege, which read-only logins
    lack, so they cannot hold up writers. Not part of backups (every database
    has its own).
    """

    __tablename__ = "lctasks_chain"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
