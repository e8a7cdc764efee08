"""What every service holds: the database, the acting person, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lctasks.db.engine import Database
from lctasks.domain import Actor, Source

if TYPE_CHECKING:
    from lctasks.config import Settings

CHUNK = 500
"""Ids per ``IN (...)`` list and rows per executemany batch."""


@dataclass
class ServiceContext:
    db: Database
    actor: Actor = field(default_factory=lambda: Actor("unknown", Source.CLI))
    settings: Any = None  # lctasks.config.Settings, loaded lazily by services that need it

    def with_actor(self, actor: Actor) -> ServiceContext:
        return ServiceContext(self.db, actor, self.settings)


class Service:
    """A service over one context: ``self.db``, and the settings loaded on first use."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.db = ctx.db

    def _settings(self) -> Settings:
        from lctasks.config import settings_of

        return settings_of(self.ctx)
