"""PostgreSQL: a liaison's login records actuals only of their own unit (migration 0008).

Through lctasks and with plain SQL, as an attacker with the login and psql would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from lctasks.db.models import ActualRow
from lctasks.domain import PermissionDeniedError
from lctasks.services import access
from lctasks.services.base import ServiceContext
from lctasks.services.indicators import IndicatorService
from lctasks.services.verify import verify_history
from tests.conftest import TEST_LOGIN
from tests.functional.test_pg_security import Office, refused

pytestmark = pytest.mark.postgres


@pytest.fixture
def office(pg_db_url: str) -> Iterator[Office]:
    o = Office(pg_db_url)
    try:
        yield o
    finally:
        o.close()


CELLS = (
    '{"指标": "研发经费投入增长(%)", "2020年": "—", "2025年": "—", '
    '"年均/[累计]": "10左右", "属性": "预期性"}'
)


def _prepare(office: Office) -> None:
    from lctasks.domain import Actor, Source
    from lctasks.services.workflow import WorkflowService

    with office.admin.engine.begin() as c:
        c.execute(text("UPDATE tasks SET attrs = CAST(:a AS json) WHERE key = 'I07'"), {"a": CELLS})
    me = ServiceContext(office.admin, Actor(TEST_LOGIN, Source.CLI))
    WorkflowService(me).assign(["I07"], lead="市发展改革委")
    IndicatorService(me).set_share("I07", "东昌府区", target="10")


def test_liaison_records_only_their_units_actuals(office: Office) -> None:
    _prepare(office)
    db = office.db(office.li)  # liaison of 市科技局: I07 is led by 市发展改革委
    me = access.identify(db, "anything", explicit=False)
    svc = IndicatorService(ServiceContext(db, me))
    before = office.count("actuals"), office.count("events")
    with pytest.raises(PermissionDeniedError):
        svc.record("I07", "2023", "9.5", source="科技局报告")
    assert (office.count("actuals"), office.count("events")) == before
    with office.admin.engine.connect() as c:
        tid = c.execute(text("SELECT id FROM tasks WHERE key = 'I07'")).scalar_one()
    with office.sql(office.li) as conn:
        # plain SQL: another unit's task, a share that is not theirs, someone else's name
        for unit_sql, actor in (("NULL", office.li), ("NULL", office.boss)):
            assert refused(
                conn,
                "INSERT INTO actuals (task_id, item, target, unit_id, period, value, "
                f"source, note, actor, at) VALUES (:t, 1, 0, {unit_sql}, '2023', 1, 's', '', "
                ":a, now())",
                t=tid,
                a=actor,
            )
        assert refused(conn, "UPDATE actuals SET value = 99")
        assert refused(conn, "DELETE FROM actuals")
    assert (office.count("actuals"), office.count("events")) == before


def test_liaison_records_their_unit_task_and_the_chain_holds(office: Office) -> None:
    _prepare(office)
    from lctasks.domain import Actor, Source
    from lctasks.services.workflow import WorkflowService

    admin = ServiceContext(office.admin, Actor(TEST_LOGIN, Source.CLI))
    WorkflowService(admin).assign(["I07"], lead="市科技局", reason="调整牵头单位")
    db = office.db(office.li)
    me = access.identify(db, "anything", explicit=False)
    IndicatorService(ServiceContext(db, me)).record("I07", "2023", "9.8", source="科技局统计")
    with office.admin.read() as s:
        rows = list(s.scalars(select(ActualRow)))
        assert [(r.actor, r.value) for r in rows] == [(office.li, 9.8)]
        assert verify_history(s).ok
