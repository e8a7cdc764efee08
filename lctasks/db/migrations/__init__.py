"""Alembic migrations. HEAD_REVISION lets start-up skip Alembic when current."""

HEAD_REVISION = "0004"  # 0001 0002 0007 0003 0008 0004 (numbers reserved per area; chain linear)
