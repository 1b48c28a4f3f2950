"""The warehouse side of delivery: reading events after a cursor and keeping
the delivery state (cursors, runs, batches, dead letters) in schema
``event_delivery``. DuckDB today; ``DeliveryStore`` is the whole interface a
PostgreSQL store would implement. DuckDB allows one writer per file, so the
store is opened for the length of one delivery command and closed after."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import duckdb

from scripts.delivery.config import EventFilter
from scripts.delivery.payload import EVENT_FIELDS, Batch, EventKey

STATE_SCHEMA = "event_delivery"

STATE_DDL = f"""
create schema if not exists {STATE_SCHEMA};
create table if not exists {STATE_SCHEMA}.cursors (
    destination varchar primary key,
    occurred_on date,
    event_id varchar,
    events_delivered bigint not null,
    events_dead_lettered bigint not null,
    updated_at timestamp not null
);
create table if not exists {STATE_SCHEMA}.runs (
    run_id varchar not null,
    destination varchar not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,
    events_delivered bigint,
    events_dead_lettered bigint,
    batches integer
);
create table if not exists {STATE_SCHEMA}.batches (
    run_id varchar not null,
    destination varchar not null,
    batch_id varchar not null,
    first_occurred_on date not null,
    first_event_id varchar not null,
    last_occurred_on date not null,
    last_event_id varchar not null,
    events integer not null,
    attempts integer not null,
    status varchar not null,
    last_error varchar,
    finished_at timestamp not null
);
create table if not exists {STATE_SCHEMA}.dead_letters (
    run_id varchar not null,
    destination varchar not null,
    batch_id varchar not null,
    first_occurred_on date not null,
    first_event_id varchar not null,
    last_occurred_on date not null,
    last_event_id varchar not null,
    events integer not null,
    event_ids varchar not null,
    payload varchar not null,
    attempts integer not null,
    last_error varchar not null,
    dead_lettered_at timestamp not null
);
"""


class WarehouseError(RuntimeError):
    """The warehouse lacks what delivery needs (e.g. no events table)."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class DeliveryStore(Protocol):
    """Everything delivery asks of the warehouse."""

    def cursor(self, destination: str) -> EventKey | None: ...

    def count_events_after(self, cursor: EventKey | None, event_filter: EventFilter) -> int: ...

    def events_after(
        self, cursor: EventKey | None, event_filter: EventFilter, contact_fields: Sequence[str], limit: int
    ) -> list[dict[str, Any]]: ...

    def start_run(self, run_id: str, destination: str) -> None: ...

    def finish_run(self, run_id: str, destination: str, *, delivered: int, dead_lettered: int, batches: int) -> None: ...

    def record_delivered(self, run_id: str, destination: str, batch: Batch, attempts: int) -> None: ...

    def record_dead_letter(
        self, run_id: str, destination: str, batch: Batch, payload: str, attempts: int, error: str
    ) -> None: ...

    def close(self) -> None: ...


class DuckDBStore:
    """DeliveryStore on the DuckDB file dbt builds."""

    def __init__(self, db_path: Path, events_schema: str | None = None) -> None:
        if not Path(db_path).exists():
            raise WarehouseError(f"warehouse {db_path} does not exist: run dbt build first")
        self._con = duckdb.connect(str(db_path))
        self._con.execute("set TimeZone = 'UTC'")
        # In one transaction: a run killed while creating the state tables
        # leaves all of them or none (readers expect every table once the schema exists).
        self._con.begin()
        self._con.execute(STATE_DDL)
        self._con.commit()
        # A run that was killed never finished: say so, once nobody holds the file.
        self._con.execute(f"update {STATE_SCHEMA}.runs set status = 'interrupted' where status = 'running'")
        self.events_relation = self._relation("customer_group_events", events_schema, required=True)
        self.definitions_relation = self._relation("customer_group_definitions", events_schema, required=False)
        self._customer_360 = self._relation("customer_360", None, required=False)

    def _relation(self, name: str, schema: str | None, *, required: bool) -> str | None:
        rows = self._con.execute(
            "select table_schema from information_schema.tables where table_name = ? and table_schema <> ?"
            + (" and table_schema = ?" if schema else "")
            + " order by table_schema",
            [name, STATE_SCHEMA, *([schema] if schema else [])],
        ).fetchall()
        if not rows:
            if required:
                where = f" in schema {schema}" if schema else ""
                raise WarehouseError(f"table {name}{where} not found: run dbt build first")
            return None
        if len(rows) > 1:
            schemas = ", ".join(row[0] for row in rows)
            raise WarehouseError(f"table {name} exists in several schemas ({schemas}): set events_schema")
        return f'"{rows[0][0]}"."{name}"'

    # -- reading events ---------------------------------------------------

    def _where(self, cursor: EventKey | None, event_filter: EventFilter) -> tuple[str, list[Any]]:
        conditions, params = ["true"], []  # type: tuple[list[str], list[Any]]
        if cursor is not None:
            conditions.append("(events.occurred_on > ? or (events.occurred_on = ? and events.event_id > ?))")
            params += [cursor.occurred_on, cursor.occurred_on, cursor.event_id]
        for column, values in (("event_name", event_filter.event_names), ("group_key", event_filter.group_keys)):
            if values:
                conditions.append(f"events.{column} in ({', '.join('?' for _ in values)})")
                params += list(values)
        return " and ".join(conditions), params

    def count_events_after(self, cursor: EventKey | None, event_filter: EventFilter) -> int:
        where, params = self._where(cursor, event_filter)
        row = self._con.execute(f"select count(*) from {self.events_relation} as events where {where}", params)
        return int(row.fetchone()[0])  # type: ignore[index]

    def events_after(
        self, cursor: EventKey | None, event_filter: EventFilter, contact_fields: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        """The next ``limit`` events after ``cursor`` in (occurred_on, event_id) order."""
        where, params = self._where(cursor, event_filter)
        if self.definitions_relation:
            groups = f"left join {self.definitions_relation} as definitions on events.group_key = definitions.group_key"
            group_columns = "definitions.group_name, definitions.group_type"
        else:
            groups, group_columns = "", "cast(null as varchar) as group_name, cast(null as varchar) as group_type"
        contacts, contact_columns = "", ""
        if contact_fields:
            if self._customer_360 is None:
                raise WarehouseError("contact_fields need the customer_360 mart: run dbt build first")
            contacts = f"left join {self._customer_360} as contacts on events.customer_id = contacts.customer_id"
            contact_columns = "".join(f", contacts.{field}" for field in contact_fields)
        sql = f"""
            select
                events.event_id, events.event_name, events.occurred_on, events.customer_id, events.group_key,
                {group_columns}, events.reason, events.definition_version{contact_columns}
            from {self.events_relation} as events
            {groups}
            {contacts}
            where {where}
            order by events.occurred_on, events.event_id
            limit {int(limit)}
        """
        names = [*EVENT_FIELDS, *contact_fields]
        return [dict(zip(names, row)) for row in self._con.execute(sql, params).fetchall()]

    # -- state --------------------------------------------------------------

    def cursor(self, destination: str) -> EventKey | None:
        row = self._con.execute(
            f"select occurred_on, event_id from {STATE_SCHEMA}.cursors where destination = ?", [destination]
        ).fetchone()
        if row is None or row[1] is None:
            return None
        return EventKey(occurred_on=row[0], event_id=row[1])

    def start_run(self, run_id: str, destination: str) -> None:
        self._con.execute(
            f"insert into {STATE_SCHEMA}.runs (run_id, destination, started_at, status) values (?, ?, ?, 'running')",
            [run_id, destination, _now()],
        )

    def finish_run(self, run_id: str, destination: str, *, delivered: int, dead_lettered: int, batches: int) -> None:
        self._con.execute(
            f"""update {STATE_SCHEMA}.runs
                set finished_at = ?, status = 'finished', events_delivered = ?, events_dead_lettered = ?, batches = ?
                where run_id = ? and destination = ?""",
            [_now(), delivered, dead_lettered, batches, run_id, destination],
        )

    def _advance(self, destination: str, batch: Batch, *, delivered: int, dead_lettered: int) -> None:
        self._con.execute(
            f"""insert into {STATE_SCHEMA}.cursors
                    (destination, occurred_on, event_id, events_delivered, events_dead_lettered, updated_at)
                values (?, ?, ?, ?, ?, ?)
                on conflict (destination) do update set
                    occurred_on = excluded.occurred_on,
                    event_id = excluded.event_id,
                    events_delivered = cursors.events_delivered + excluded.events_delivered,
                    events_dead_lettered = cursors.events_dead_lettered + excluded.events_dead_lettered,
                    updated_at = excluded.updated_at""",
            [destination, batch.last.occurred_on, batch.last.event_id, delivered, dead_lettered, _now()],
        )

    def _log_batch(
        self, run_id: str, destination: str, batch: Batch, attempts: int, status: str, error: str | None
    ) -> None:
        self._con.execute(
            f"insert into {STATE_SCHEMA}.batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id, destination, batch.batch_id,
                batch.first.occurred_on, batch.first.event_id, batch.last.occurred_on, batch.last.event_id,
                batch.event_count, attempts, status, error, _now(),
            ],
        )  # fmt: skip

    def record_delivered(self, run_id: str, destination: str, batch: Batch, attempts: int) -> None:
        """The receiver acknowledged ``batch``: log it and move the cursor past
        it, in one transaction (a crash before the commit re-sends it)."""
        self._con.begin()
        try:
            self._log_batch(run_id, destination, batch, attempts, "delivered", None)
            self._advance(destination, batch, delivered=batch.event_count, dead_lettered=0)
            self._con.commit()
        except BaseException:
            self._con.rollback()
            raise

    def record_dead_letter(
        self, run_id: str, destination: str, batch: Batch, payload: str, attempts: int, error: str
    ) -> None:
        """``batch`` exhausted its attempts: keep it, with the last error, and
        move on past it, in one transaction."""
        self._con.begin()
        try:
            self._con.execute(
                f"insert into {STATE_SCHEMA}.dead_letters values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id, destination, batch.batch_id,
                    batch.first.occurred_on, batch.first.event_id, batch.last.occurred_on, batch.last.event_id,
                    batch.event_count, json.dumps(batch.event_ids), payload, attempts, error, _now(),
                ],
            )  # fmt: skip
            self._log_batch(run_id, destination, batch, attempts, "dead_lettered", error)
            self._advance(destination, batch, delivered=0, dead_lettered=batch.event_count)
            self._con.commit()
        except BaseException:
            self._con.rollback()
            raise

    def close(self) -> None:
        self._con.close()
