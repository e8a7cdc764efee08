"""Alembic migrations. HEAD_REVISION lets start-up skip Alembic when current."""

HEAD_REVISION = "0007"
