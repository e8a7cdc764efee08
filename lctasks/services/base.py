"""What every service holds: the database, the acting person, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lctasks.db.engine import Database
from lctasks.domain import Actor, Source


@dataclass
class ServiceContext:
    db: Database
    actor: Actor = field(default_factory=lambda: Actor("unknown", Source.CLI))
    settings: Any = None  # lctasks.config.Settings, loaded lazily by services that need it

    def with_actor(self, actor: Actor) -> ServiceContext:
        return ServiceContext(self.db, actor, self.settings)
